package org.vccid.conformance.internal.vector;

import java.util.List;

import org.vccid.conformance.target.ReaderSpec;

/** One parsed vector file: one scenario. Immutable. */
public final class Vector {

    private final String name;
    private final String title;
    private final List<String> clauses;
    private final ReaderSpec reader;
    private final String requires;
    private final List<Step> steps;

    Vector(String name, String title, List<String> clauses, ReaderSpec reader, String requires, List<Step> steps) {
        this.name = name;
        this.title = title;
        this.clauses = List.copyOf(clauses);
        this.reader = reader;
        this.requires = requires;
        this.steps = List.copyOf(steps);
    }

    /** The file's name relative to its library ({@code ccid/power-on.vec}). */
    public String name() {
        return name;
    }

    /** The {@code # title:} header, or the name. */
    public String title() {
        return title;
    }

    /** The spec clauses the vector checks ({@code # clause:} headers). */
    public List<String> clauses() {
        return clauses;
    }

    /** The reader the vector needs ({@code # reader:} header). */
    public ReaderSpec reader() {
        return reader;
    }

    /** LDAP filter the run's card must match ({@code # requires:}), or {@code null}: any card. */
    public String requires() {
        return requires;
    }

    public List<Step> steps() {
        return steps;
    }

    @Override
    public String toString() {
        return name;
    }
}
