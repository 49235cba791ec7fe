package org.vccid.conformance.internal.usbip;

import org.vccid.conformance.target.ReaderSpec;
import org.vccid.reader.Reader;

/**
 * Makes a reader as a vector asks and exports it through a USB/IP server: through ConfigAdmin and
 * ccid.transport.usbip's component in OSGi ({@link ConfigAdminExports}), with the server class directly in a
 * plain JUnit run (test scope).
 */
public interface UsbIpExports {

    /** One exported reader. */
    interface Export {
        /** The reader, for card insertion and removal. */
        Reader reader();

        String host();

        int port();

        /** The busid a host imports. */
        String busid();

        /** Drop the reader (and its export). */
        void close();
    }

    Export export(String name, ReaderSpec spec) throws Exception;
}
