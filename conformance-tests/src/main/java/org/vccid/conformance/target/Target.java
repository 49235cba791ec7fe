package org.vccid.conformance.target;

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

    /** The target's short name. */
    String name();

    /**
     * Create a reader with the given settings, reach it through this transport, and return the host's session.
     * The reader starts with empty slots.
     *
     * @param reader what the vector file asks for
     * @param cards where cards for {@link TargetSession#insert} come from
     * @throws Exception when the reader cannot be built or reached (the vector file then counts as an error)
     */
    TargetSession open(ReaderSpec reader, CardSource cards) throws Exception;
}
