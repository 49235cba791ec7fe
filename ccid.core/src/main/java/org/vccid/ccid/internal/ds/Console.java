package org.vccid.ccid.internal.ds;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vccid.card.Card;
import org.vccid.reader.Reader;
import org.vccid.reader.Slot;
import org.vccid.reader.SlotEvent;
import org.vccid.reader.SlotListener;

/**
 * Tells the person at the console what is served: readers as they come and go, and card movements. Also the Gogo
 * commands {@code vccid:readers} and {@code vccid:eject}. ({@link LogEcho} prints what bundles log.)
 */
@Component(service = Console.class, immediate = true, property = { "osgi.command.scope=vccid", "osgi.command.function=readers",
        "osgi.command.function=eject" })
public class Console {

    private final PrintStream out = System.out;
    private final Map<Reader, SlotListener> listeners = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addReader(Reader reader) {
        out.println("vccid: reader \"" + reader.name() + "\" with " + reader.slots().size() + " slot(s)");
        for (Slot s : reader.slots()) {
            s.card().ifPresent(c -> out.println("vccid:   slot " + s.index() + ": " + describe(c)));
        }
        SlotListener l = e -> {
            if (e.type() == SlotEvent.Type.INSERTED || e.type() == SlotEvent.Type.REMOVED) {
                out.println("vccid: " + e.slot().reader().name() + " slot " + e.slot().index() + ": card "
                        + (e.type() == SlotEvent.Type.INSERTED ? "inserted (" + e.slot().card().map(Console::describe)
                                .orElse("?") + ")" : "removed"));
            }
        };
        listeners.put(reader, l);
        reader.addListener(l);
    }

    void removeReader(Reader reader) {
        SlotListener l = listeners.remove(reader);
        if (l != null) {
            reader.removeListener(l);
        }
        out.println("vccid: reader \"" + reader.name() + "\" removed");
    }

    static String describe(Card c) {
        return c.getClass().getSimpleName();
    }

    /** Gogo: list readers, slots and cards. */
    public void readers() {
        if (listeners.isEmpty()) {
            out.println("no readers: add a factory configuration of org.vccid.reader");
        }
        for (Reader r : listeners.keySet()) {
            out.println(r.name());
            for (Slot s : r.slots()) {
                out.println("  slot " + s.index() + ": " + s.state()
                        + s.card().map(c -> " " + describe(c)).orElse(""));
            }
        }
    }

    /** Gogo: take the card out of a slot. */
    public void eject(String reader, int slot) {
        for (Reader r : listeners.keySet()) {
            if (r.name().equals(reader)) {
                r.slot(slot).eject();
                return;
            }
        }
        out.println("no reader named \"" + reader + "\"");
    }
}
