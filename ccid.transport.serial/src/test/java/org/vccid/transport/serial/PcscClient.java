package org.vccid.transport.serial;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;
import javax.smartcardio.TerminalFactory;

import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;

/**
 * javax.smartcardio in a forked JVM (libpcsclite reads PCSCLITE_CSOCK_NAME when it loads, so the test JVM cannot
 * switch pcscd). Usage:
 * <ul>
 * <li>{@code apdu READER PROTOCOL HEX...}: connect (T=0, T=1 or *), print {@code ATR <hex>}, then one
 * {@code R <hex>} line per command</li>
 * <li>{@code bench READER PROTOCOL N}: N x GET CHALLENGE 8 after 50 warm-up, print {@code RATE <apdu/s>}</li>
 * </ul>
 */
public final class PcscClient {

    static final String PCSCLITE = "/usr/lib/x86_64-linux-gnu/libpcsclite.so.1";

    public static void main(String[] args) throws Exception {
        CardTerminal t = terminal(args[1]);
        Card card = t.connect(args[2]);
        try {
            CardChannel ch = card.getBasicChannel();
            if (args[0].equals("apdu")) {
                System.out.println("ATR " + HexFormat.of().withUpperCase().formatHex(card.getATR().getBytes()));
                for (int i = 3; i < args.length; i++) {
                    ResponseAPDU r = ch.transmit(new CommandAPDU(HexFormat.of().parseHex(args[i].replace(" ", ""))));
                    System.out.println("R " + HexFormat.of().withUpperCase().formatHex(r.getBytes()));
                }
            } else if (args[0].equals("bench")) {
                int n = Integer.parseInt(args[3]);
                CommandAPDU c = new CommandAPDU(HexFormat.of().parseHex("0084000008"));
                for (int i = 0; i < 50; i++) {
                    check(ch.transmit(c));
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    check(ch.transmit(c));
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("RATE %.0f%n", n / s);
            } else {
                throw new IllegalArgumentException(args[0]);
            }
        } finally {
            card.disconnect(false);
        }
    }

    private static void check(ResponseAPDU r) {
        if (r.getSW() != 0x9000 || r.getData().length != 8) {
            throw new IllegalStateException("bad answer " + r);
        }
    }

    private static CardTerminal terminal(String name) throws Exception {
        for (CardTerminal t : TerminalFactory.getDefault().terminals().list()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        throw new IllegalStateException("no terminal " + name + " in "
                + TerminalFactory.getDefault().terminals().list());
    }

    /** Run this class in a new JVM against that pcscd. */
    static Proc.Result run(Pcscd pcscd, Duration limit, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.java(), "-cp", System.getProperty("java.class.path"),
                "-Dsun.security.smartcardio.library=" + PCSCLITE, PcscClient.class.getName()));
        cmd.addAll(Arrays.asList(args));
        return Proc.run(limit, pcscd.env(), cmd);
    }

    /** Start this class in a new JVM against that pcscd, in the background (output discarded). */
    static Process start(Pcscd pcscd, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.java(), "-cp", System.getProperty("java.class.path"),
                "-Dsun.security.smartcardio.library=" + PCSCLITE, PcscClient.class.getName()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().putAll(pcscd.env());
        return b.start();
    }

    /** Response lines ({@code R <hex>}) of an apdu run. */
    static List<String> responses(Proc.Result r) {
        List<String> l = new ArrayList<>();
        for (String s : r.output.split("\n")) {
            if (s.startsWith("R ")) {
                l.add(s.substring(2).trim());
            }
        }
        return l;
    }

    private static final class Path {
        static String java() {
            return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }
}
