/**
 * The T=1 block protocol (ISO 7816-3 §11), pure: no I/O, no threads.
 *
 * <ul>
 * <li>{@link org.vccid.iso7816.t1.T1Block}: block codec (NAD PCB LEN INF EDC, LRC or CRC), zero allocation.</li>
 * <li>{@link org.vccid.iso7816.t1.T1Card}: the card side, one per slot, for a reader at TPDU level: blocks from the
 * host driver in, command APDUs out, response APDUs in, blocks out.</li>
 * <li>{@link org.vccid.iso7816.t1.T1Terminal}: the terminal side, for tests and conformance runs.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.iso7816.t1;
