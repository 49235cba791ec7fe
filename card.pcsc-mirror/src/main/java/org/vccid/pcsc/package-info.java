/**
 * PC/SC (pcsc-lite) through the JDK's own javax.smartcardio native layer, with a context of the caller's and APDUs
 * passed unchanged: {@link org.vccid.pcsc.Pcsc}, implemented by {@link org.vccid.pcsc.JdkPcsc} (needs
 * {@code --add-opens java.smartcardio/sun.security.smartcardio=ALL-UNNAMED}). Used by card.pcsc-mirror and by the
 * conformance runner's PC/SC targets.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.pcsc;
