package org.vccid.conformance.internal.inprocess;

import org.vccid.conformance.target.ReaderSpec;
import org.vccid.reader.Reader;
import org.vccid.transport.CcidDevice;

/**
 * Builds a reader of ccid.core for one vector: through ConfigAdmin in OSGi ({@link ConfigAdminReaders}), directly
 * with the engine class on a plain class path ({@link EngineReaders}).
 */
public interface ReaderFactory {

    /** A reader built for one vector. */
    interface Built {
        CcidDevice device();

        Reader reader();

        /** Drop the reader. */
        void close();
    }

    Built create(String name, ReaderSpec spec) throws Exception;
}
