package org.vccid.iso7816.t1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vccid.iso7816.Hex;

/** The terminal helper against scripted card answers: what it sends, block by block. */
class T1TerminalTest {

    /** Answers from a script; records what the terminal sent. */
    static final class Script implements T1Terminal.Link {
        final Deque<String> answers = new ArrayDeque<>();
        final List<String> sent = new ArrayList<>();

        Script(String... answers) {
            this.answers.addAll(List.of(answers));
        }

        @Override
        public byte[] exchange(byte[] block) {
            sent.add(Hex.spaced(block));
            String a = answers.poll();
            return a == null ? null : Hex.decode(a);
        }
    }

    @Test
    void libccidShapedExchange() throws IOException {
        Script s = new Script("00 E1 01 FE 1E", "00 00 04 01 02 90 00 97");
        T1Terminal t = new T1Terminal(254, 254, false);
        t.negotiateIfsd(s);
        assertEquals("01 02 90 00", Hex.spaced(t.transceive(Hex.decode("00 84 00 00 02"), s)));
        assertEquals(List.of("00 C1 01 FE 3E", "00 00 05 00 84 00 00 02 83"), s.sent); // 05^84^02 = 83
    }

    @Test
    void wrongNadIsAnError() throws IOException {
        // the card answers with NAD 10 instead of 00: R(0) other error, then the right answer
        Script s = new Script("10 00 02 90 00 82", "00 00 02 90 00 92");
        T1Terminal t = new T1Terminal(32, 32, false);
        assertEquals("90 00", Hex.spaced(t.transceive(Hex.decode("00 A4 00 00"), s)));
        assertEquals("00 82 00 82", s.sent.get(1));
        assertEquals(1, t.errorsSeen());
    }

    @Test
    void badEdcGetsAnEdcErrorRBlock() throws IOException {
        Script s = new Script("00 00 02 90 00 93", "00 00 02 90 00 92");
        T1Terminal t = new T1Terminal(32, 32, false);
        assertEquals("90 00", Hex.spaced(t.transceive(Hex.decode("00 A4 00 00"), s)));
        assertEquals("00 81 00 81", s.sent.get(1));
    }

    @Test
    void wtxRequestIsEchoed() throws IOException {
        Script s = new Script("00 C3 01 09 CB", "00 00 02 90 00 92"); // C3^01^09 = CB
        T1Terminal t = new T1Terminal(32, 32, false);
        assertEquals("90 00", Hex.spaced(t.transceive(Hex.decode("00 A4 00 00"), s)));
        assertEquals("00 E3 01 09 EB", s.sent.get(1)); // E3^01^09 = EB
    }

    @Test
    void cardAbortEndsTheExchange() {
        Script s = new Script("00 C2 00 C2");
        T1Terminal t = new T1Terminal(32, 32, false);
        IOException e = assertThrows(IOException.class, () -> t.transceive(Hex.decode("00 A4 00 00"), s));
        assertTrue(e.getMessage().contains("aborted"));
        assertEquals("00 E2 00 E2", s.sent.get(1));
    }

    @Test
    void badIfsAnswerIsRetriedThenFails() {
        Script s = new Script("00 E1 01 FD 1D", "00 E1 01 FE 1F", "00 82 00 82");
        T1Terminal t = new T1Terminal(254, 254, false);
        assertThrows(IOException.class, () -> t.negotiateIfsd(s));
        assertEquals(3, s.sent.size());
        assertEquals(3, t.errorsSeen());
    }

    @Test
    void resynchRestartsTheCommand() throws IOException {
        // three bad answers: R, R, then S(RESYNCH request); after the response the command goes out again as I(0)
        Script s = new Script("00 00 02 90 00 00", "00 00 02 90 00 00", "00 00 02 90 00 00", "00 E0 00 E0",
                "00 00 02 90 00 92");
        T1Terminal t = new T1Terminal(32, 32, false);
        assertEquals("90 00", Hex.spaced(t.transceive(Hex.decode("00 A4 00 00"), s)));
        assertEquals(List.of("00 00 04 00 A4 00 00 A0", "00 81 00 81", "00 81 00 81", "00 C0 00 C0",
                "00 00 04 00 A4 00 00 A0"), s.sent);
    }
}
