package org.vccid.transport.vpcd.bench;

import java.util.ArrayList;
import java.util.List;

import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;
import javax.smartcardio.TerminalFactory;

import org.vccid.iso7816.Hex;

/**
 * The host side of the APDU-rate benchmark, run in a JVM whose environment points libpcsclite at the test pcscd:
 * {@code SmartcardioLoop <seconds> <rounds> <label>=<reader>=<expected SW>=<apdu hex> ...}. Scenarios run in turns
 * (round robin) so that every card sees the same machine load; prints one result line per scenario.
 */
public final class SmartcardioLoop {

    private SmartcardioLoop() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[0]);
        int rounds = Integer.parseInt(args[1]);
        List<String[]> scenarios = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            scenarios.add(args[i].split("="));
        }
        TerminalFactory tf = TerminalFactory.getDefault();
        long[] commands = new long[scenarios.size()];
        long[] nanos = new long[scenarios.size()];
        List<Card> cards = new ArrayList<>();
        for (String[] s : scenarios) {
            CardTerminal t = tf.terminals().getTerminal(s[1]);
            if (t == null || !t.isCardPresent()) {
                throw new IllegalStateException("no card in " + s[1] + ": " + tf.terminals().list());
            }
            cards.add(t.connect("*"));
        }
        for (int round = -1; round < rounds; round++) { // round -1 warms up
            for (int i = 0; i < scenarios.size(); i++) {
                String[] s = scenarios.get(i);
                CardChannel ch = cards.get(i).getBasicChannel();
                CommandAPDU c = new CommandAPDU(Hex.decode(s[3]));
                int sw = Integer.parseInt(s[2], 16);
                long n = 0;
                long t0 = System.nanoTime();
                long end = t0 + (long) (seconds * 1e9);
                long now;
                do {
                    ResponseAPDU r = ch.transmit(c);
                    if (r.getSW() != sw) {
                        throw new IllegalStateException(s[0] + ": SW " + Integer.toHexString(r.getSW()));
                    }
                    n++;
                } while ((now = System.nanoTime()) < end);
                if (round >= 0) {
                    commands[i] += n;
                    nanos[i] += now - t0;
                }
            }
        }
        for (int i = 0; i < scenarios.size(); i++) {
            System.out.printf("RESULT %s %.0f commands/s%n", scenarios.get(i)[0], commands[i] / (nanos[i] / 1e9));
        }
        for (Card c : cards) {
            c.disconnect(false);
        }
    }
}
