/**
 * The GemPC Twin serial framing that libccid's serial driver ({@code libccidtwin.so}, {@code ccid_serial.c}) speaks,
 * pure: {@link org.vccid.transport.serial.framing.Twin} builds frames and checks their LRC,
 * {@link org.vccid.transport.serial.framing.ReaderType} says what each reader type of the driver expects (echo,
 * slots, open escape). Exported for hosts of the line, such as the conformance runner's serial target.
 *
 * <pre>
 * byte[] frame = Twin.frame(ccidMessage);                  // 03 06 &lt;message&gt; LRC
 * boolean good = Twin.lrc(frame, 0, frame.length) == 0;    // a whole frame XORs to 0
 * ReaderType t = ReaderType.parse("GemCorePOSPro");        // 5 slots, no echo
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.transport.serial.framing;
