/**
 * Card personality SPI: what a virtual (or mirrored, or remote) smart card implements.
 *
 * <p>A card bundle registers each card as a {@link org.vccid.card.Card} service; readers pick cards by an LDAP
 * filter on the service properties (for example {@code (vccid.card.type=cac)}). When the service goes away the
 * slot holding it sees the card removed; when it comes back, inserted.
 *
 * <pre>
 * &#64;Component(property = { Card.TYPE + "=echo" })
 * public class EchoCard implements Card {
 *     public byte[] powerOn() { return ATR; }
 *     public byte[] transmit(byte[] b, int off, int len) { return new byte[] { (byte) 0x90, 0 }; }
 *     ...
 * }
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.card;
