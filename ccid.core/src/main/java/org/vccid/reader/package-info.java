/**
 * Reader and slot API: list the virtual readers and their slots, insert or eject cards, observe slot events.
 *
 * <p>Every configured reader is registered as a {@link org.vccid.reader.Reader} service.
 *
 * <pre>
 * &#64;Reference Reader reader;
 * Slot slot = reader.slot(0);
 * slot.addListener(e -&gt; System.out.println(e));
 * slot.insert(myCard);
 * slot.eject();
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.reader;
