/**
 * Target SPI of the conformance runner: the host side of one transport. The runner replays test vectors through a
 * {@link org.vccid.conformance.target.Target}; every transport can contribute its host-side client (a USB/IP
 * client, a serial line driver, a vpcd socket, ...) by registering a {@code Target} service with the property
 * {@value org.vccid.conformance.target.Target#NAME}. A target declares what its host can reach
 * ({@link org.vccid.conformance.target.Target#features()}: CCID pipes, or whole APDUs for hosts such as PC/SC).
 *
 * <pre>
 * &#64;Component(property = Target.NAME + "=usbip")
 * public class UsbIpTarget implements Target {
 *     public TargetSession open(ReaderSpec reader, CardSource cards) { ... }
 * }
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.vccid.conformance.target;
