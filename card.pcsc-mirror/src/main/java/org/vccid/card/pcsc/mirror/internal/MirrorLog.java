package org.vccid.card.pcsc.mirror.internal;

/** Where the mirror reports (the OSGi Logger in a framework, a list in tests). */
interface MirrorLog {
    void debug(String message);

    void info(String message);

    void warn(String message);

    void error(String message, Throwable t);
}
