package org.vccid.ccid.internal.ds;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Prints the warnings and errors that bundles log through the OSGi Log service, which otherwise only keeps them in
 * memory. A component of its own so that ccid.core runs where no Log service exists (its import is optional).
 */
@Component(immediate = true)
public class LogEcho {

    private final LogListener listener = LogEcho::print;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addLogReader(LogReaderService logs) {
        logs.addLogListener(listener);
        // what was logged before we came (newest first in the history)
        java.util.List<LogEntry> earlier = java.util.Collections.list(logs.getLog());
        java.util.Collections.reverse(earlier);
        earlier.forEach(LogEcho::print);
    }

    void removeLogReader(LogReaderService logs) {
        logs.removeLogListener(listener);
    }

    private static void print(LogEntry e) {
        if (LogLevel.WARN.implies(e.getLogLevel())) { // WARN, ERROR, AUDIT
            System.out.println("vccid: " + e.getLogLevel() + " " + e.getBundle().getSymbolicName() + ": "
                    + e.getMessage() + (e.getException() != null ? " (" + e.getException() + ")" : ""));
        }
    }
}
