/**
 * ISO 7816-3/4 toolkit: pure values and codecs, no I/O.
 *
 * <ul>
 * <li>{@link org.vccid.iso7816.CommandApdu}: parse and build command APDUs of cases 1 to 4, short and extended,
 * with strict Lc/Le validation (ISO 7816-4 §5.1).</li>
 * <li>{@link org.vccid.iso7816.StatusWord}: named status words.</li>
 * <li>{@link org.vccid.iso7816.Atr}: Answer To Reset parse and build (ISO 7816-3 §8).</li>
 * <li>{@link org.vccid.iso7816.Pps}: the card's answer to a PPS request (ISO 7816-3 §9).</li>
 * <li>{@link org.vccid.iso7816.Hex}: hex text with optional spaces.</li>
 * </ul>
 *
 * <pre>
 * CommandApdu c = CommandApdu.parse(Hex.decode("00 A4 04 00 07 A0000001160DB000"));
 * if (c.ins() == 0xA4) { ... c.data() ... c.ne() ... }
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.vccid.iso7816;
