package org.vccid.ccid.internal.ds;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.LogReaderService;

/**
 * Prints the warnings and errors that bundles log through the OSGi Log service, which otherwise only keeps them in
 * memory. ccid.core's import of the Log API is optional: this class names no Log type in its signatures (the bind
 * methods take {@code Object}, which DS allows for any service type), and {@link LogBridge}, which does, is only
 * loaded when a Log service exists. So the component loads cleanly in a framework without one.
 */
@Component(immediate = true)
public class LogEcho {

    private final Map<Object, Object> listeners = new ConcurrentHashMap<>();

    @Reference(service = LogReaderService.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addLogReader(Object logs) {
        listeners.put(logs, LogBridge.attach(logs));
    }

    void removeLogReader(Object logs) {
        Object listener = listeners.remove(logs);
        if (listener != null) {
            LogBridge.detach(logs, listener);
        }
    }
}
