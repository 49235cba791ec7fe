package org.vccid.reader;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives slot events. Must return quickly; it may call back into the reader. */
@ConsumerType
@FunctionalInterface
public interface SlotListener {
    void slotChanged(SlotEvent event);
}
