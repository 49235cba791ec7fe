package org.vccid.ccid.internal.ds;

import java.util.Collections;
import java.util.List;

import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/** The part of {@link LogEcho} that uses the Log API; loaded only when a Log service is bound. */
final class LogBridge {

    private LogBridge() {
    }

    static Object attach(Object service) {
        LogReaderService logs = (LogReaderService) service;
        LogListener listener = LogBridge::print;
        logs.addLogListener(listener);
        // what was logged before we came (newest first in the history)
        List<LogEntry> earlier = Collections.list(logs.getLog());
        Collections.reverse(earlier);
        earlier.forEach(LogBridge::print);
        return listener;
    }

    static void detach(Object service, Object listener) {
        ((LogReaderService) service).removeLogListener((LogListener) listener);
    }

    private static void print(LogEntry e) {
        if (LogLevel.WARN.implies(e.getLogLevel())) { // WARN, ERROR, AUDIT
            System.out.println("vccid: " + e.getLogLevel() + " " + e.getBundle().getSymbolicName() + ": "
                    + e.getMessage() + (e.getException() != null ? " (" + e.getException() + ")" : ""));
        }
    }
}
