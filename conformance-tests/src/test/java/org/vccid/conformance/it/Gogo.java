package org.vccid.conformance.it;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;

/** One Gogo command in a session of its own, for the in-framework tests (runs inside the Pax Exam probe). */
public final class Gogo {

    private Gogo() {
    }

    /** Execute {@code command}; what it prints goes to {@code out}; returns its value as a string. */
    public static String run(CommandProcessor gogo, String command, OutputStream out) throws Exception {
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = gogo.createSession(new ByteArrayInputStream(new byte[0]), ps, ps);
        try {
            return String.valueOf(session.execute(command));
        } finally {
            session.close();
        }
    }

    /** Execute {@code command}, discarding what it prints. */
    public static String run(CommandProcessor gogo, String command) throws Exception {
        return run(gogo, command, new ByteArrayOutputStream());
    }
}
