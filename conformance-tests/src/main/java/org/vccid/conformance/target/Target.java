package org.vccid.conformance.target;

import java.util.EnumSet;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The host side of one transport: builds a reader as a test vector wants it, connects to it through the
 * transport, and hands the runner a {@link TargetSession}. One session per vector file; sessions of one target do
 * not overlap.
 */
@ConsumerType
public interface Target {

    /** Service property: the target's short name ({@code in-process}, {@code usbip}, ...), used to pick it. */
    String NAME = "vccid.conformance.target";

    /**
     * What the host of a transport can reach. A vector runs on a target only if the target has every feature its
     * steps use; otherwise the runner reports it as skipped and names what is missing.
     */
    enum Feature {
        /** CCID messages on the bulk pipes ({@link TargetSession#send}, {@link TargetSession#receive}). */
        BULK,
        /** The interrupt IN pipe ({@link TargetSession#interrupt}): RDR_to_PC_NotifySlotChange with its slot bits. */
        INTERRUPT,
        /** CCID class requests on the control pipe ({@link TargetSession#control}). */
        CONTROL,
        /**
         * Whole APDUs to a slot's card ({@link TargetSession#powerOn}, {@link TargetSession#powerOff},
         * {@link TargetSession#transmit}): a host that sees cards, not CCID messages (PC/SC through pcscd, a VSC
         * peer). The runner uses it for {@code power-on}, {@code power-off} and {@code apdu} steps when the target
         * has no {@link #BULK}.
         */
        APDU
    }

    /** The target's short name. */
    String name();

    /** What this target's host can reach (default: a USB-like reader, bulk + interrupt + control pipes). */
    default Set<Feature> features() {
        return EnumSet.of(Feature.BULK, Feature.INTERRUPT, Feature.CONTROL);
    }

    /**
     * Create a reader with the given settings, reach it through this transport, and return the host's session.
     * The reader starts with empty slots.
     *
     * @param reader what the vector file asks for
     * @param cards where cards for {@link TargetSession#insert} come from
     * @throws NotSupportedException when this transport cannot provide such a reader (too many slots, a level its
     *         host cannot use): the runner then reports the vector as skipped with the exception's message
     * @throws Exception when the reader cannot be built or reached (the vector file then counts as an error)
     */
    TargetSession open(ReaderSpec reader, CardSource cards) throws Exception;
}
