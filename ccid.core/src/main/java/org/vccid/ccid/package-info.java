/**
 * CCID 1.1 codec: pure, bytes in and bytes out, no I/O.
 *
 * <ul>
 * <li>{@link org.vccid.ccid.Ccid}: message types, bStatus / bError values, dwFeatures bits, class requests, and
 * little-endian header accessors that work in place on a buffer (no allocation).</li>
 * <li>{@link org.vccid.ccid.CcidMessage}: a parsed message of either direction, with a factory for every
 * PC_to_RDR and RDR_to_PC message (CCID 1.1 §6.1, §6.2).</li>
 * <li>{@link org.vccid.ccid.Interrupts}: RDR_to_PC_NotifySlotChange for any slot count and
 * RDR_to_PC_HardwareError (§6.3).</li>
 * <li>{@link org.vccid.ccid.ClassDescriptor}: the 54-byte CCID class descriptor (§5.1).</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.ccid;
