/**
 * Transport SPI: carries CCID traffic (bulk OUT, bulk IN, interrupt IN, class requests) between a host and a
 * reader. A transport (USB/IP, a serial line, ...) finds readers as {@link org.vccid.transport.CcidDevice}
 * services, {@linkplain org.vccid.transport.CcidDevice#attach attaches} a {@link org.vccid.transport.HostLink}
 * and feeds whole PC_to_RDR messages into the returned {@link org.vccid.transport.CcidSession}.
 *
 * <pre>
 * CcidSession s = device.attach(new HostLink() {
 *     public void bulkIn(byte[] b, int off, int len) { connection.queue(b, off, len); } // copy!
 *     public void interruptAvailable() { connection.wakeInterrupt(); }
 *     public void detached() { connection.close(); }
 * });
 * s.bulkOut(message, 0, message.length);
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.transport;
