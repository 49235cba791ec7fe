/**
 * The T=0 card side at CCID TPDU level (ISO 7816-3 §10 and §12.2), pure: no I/O, no threads.
 * {@link org.vccid.iso7816.t0.T0Card} turns TPDUs from the host driver into command APDUs for a card and the card's
 * response APDUs into what a T=0 card answers (data + SW, 61xx / 6Cxx, GET RESPONSE).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.iso7816.t0;
