package org.vccid.reader;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** A virtual CCID reader with one or more slots. Registered as a service for every reader configuration. */
@ProviderType
public interface Reader {

    /** Service property: the reader's name (also its USB product string). */
    String NAME = "vccid.reader.name";

    /** The reader's name, unique in the JVM. */
    String name();

    /** The reader's slots, index 0 first. */
    List<Slot> slots();

    /**
     * One slot.
     *
     * @throws IndexOutOfBoundsException if there is no such slot
     */
    default Slot slot(int index) {
        return slots().get(index);
    }

    /** Observe the events of every slot of this reader. Listeners are called in order, from no fixed thread. */
    void addListener(SlotListener listener);

    void removeListener(SlotListener listener);
}
