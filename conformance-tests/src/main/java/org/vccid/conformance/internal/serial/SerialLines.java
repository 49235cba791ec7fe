package org.vccid.conformance.internal.serial;

import org.vccid.conformance.target.ReaderSpec;
import org.vccid.reader.Reader;
import org.vccid.transport.serial.framing.ReaderType;

/**
 * Makes a reader as a vector asks and a ccid.transport.serial line serving it on a loopback TCP port: through
 * ConfigAdmin in OSGi ({@link ConfigAdminLines}), with the line's server class directly in a plain JUnit run.
 */
public interface SerialLines {

    /** One reader on one serial line. */
    interface Line {
        /** The TCP port of the line on 127.0.0.1. */
        int port();

        /** The reader, for card insertion and removal. */
        Reader reader();

        /** The reader's dwMaxCCIDMessageLength (the line frames messages up to it, at least 271). */
        int maxMessageLength();

        /** Drop the line and the reader. */
        void close();
    }

    /**
     * @param firmware the line's answer to the firmware escape (a host checks it reached this line)
     */
    Line create(String name, ReaderSpec spec, ReaderType type, String firmware) throws Exception;
}
