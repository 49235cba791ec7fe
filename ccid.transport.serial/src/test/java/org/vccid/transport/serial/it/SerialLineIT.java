package org.vccid.transport.serial.it;

import static org.junit.Assert.*;
import static org.ops4j.pax.exam.CoreOptions.*;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.Hashtable;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.vccid.ccid.it.Provisioning;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vccid.iso7816.Hex;

/**
 * ccid.transport.serial in Felix with SCR and ConfigAdmin: a TPDU reader (org.vccid.reader) holding the test card
 * bundle's card, and a serial line (org.vccid.transport.serial) naming it; a socket playing libccid's serial driver
 * opens the line. Deleting the reader's configuration silences the line, recreating it brings it back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SerialLineIT {

    static final int PORT = 37460;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        return options(
                Provisioning.services(),
                bundle(new File(System.getProperty("core.bundle.file")).toURI().toString()),
                bundle(new File(System.getProperty("bundle.file")).toURI().toString()),
                Provisioning.testCard(),
                mavenBundle("net.java.dev.jna", "jna").versionAsInProject(), // the pty mode's native access
                junitBundles());
    }

    /** ccid.core's test card as a bundle (Card service, vccid.card.type=test, T=0). */

    static final String FIRMWARE = "03 06 6B 01 00 00 00 00 00 00 00 00 02 6D";
    static final String GET_SLOT_STATUS = "03 06 65 00 00 00 00 00 02 00 00 00 62";

    @Test
    public void configuredLineServesTheConfiguredReader() throws Exception {
        org.osgi.service.cm.Configuration reader = readerConfig();
        org.osgi.service.cm.Configuration line = configAdmin.getFactoryConfiguration("org.vccid.transport.serial",
                "it", "?");
        Hashtable<String, Object> lp = new Hashtable<>();
        lp.put("port", PORT);
        lp.put("readerType", "GemPCTwin");
        lp.put("reader", "IT Serial");
        lp.put("firmware", "IT firmware");
        line.update(lp);

        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            Exchange x = (hex, ms) -> {
                s.getOutputStream().write(Hex.decode(hex));
                return read(in, ms);
            };
            String answer = until(x, FIRMWARE, a -> a.startsWith(FIRMWARE + " 03 06 83 0B 00 00 00 00 00"));
            assertTrue(answer, answer.startsWith(FIRMWARE + " 03 06 83 0B 00 00 00 00 00"));
            assertTrue(answer, answer.contains("49 54 20 66 69 72 6D 77 61 72 65")); // "IT firmware"
            // the card bundle's card is in the slot: present, inactive (SCR binds the reader asynchronously)
            assertEquals(GET_SLOT_STATUS + " 03 06 81 00 00 00 00 00 02 01 00 00 87",
                    until(x, GET_SLOT_STATUS, a -> a.endsWith(" 03 06 81 00 00 00 00 00 02 01 00 00 87")));
            // power on: the test card's T=0 ATR
            s.getOutputStream().write(Hex.decode("03 06 62 00 00 00 00 00 03 01 00 00 65"));
            assertEquals("03 06 62 00 00 00 00 00 03 01 00 00 65 03 06 80 04 00 00 00 00 03 00 00 00 3B 02 14 50 FF",
                    read(in, 400));

            // the reader goes away: the line only echoes (an unplugged reader does not answer)
            reader.delete();
            assertEquals(GET_SLOT_STATUS, until(x, GET_SLOT_STATUS, GET_SLOT_STATUS::equals));

            // and comes back
            readerConfig();
            String back = until(x, GET_SLOT_STATUS, a -> a.endsWith(" 03 06 81 00 00 00 00 00 02 01 00 00 87"));
            assertTrue(back, back.startsWith(GET_SLOT_STATUS + " "));
            assertTrue(back, back.endsWith("03 06 81 00 00 00 00 00 02 01 00 00 87"));
        } finally {
            line.delete();
        }
    }

    /**
     * The pty mode under Felix: JNA's bundle resolves and its native part loads (the pty exists), the host talks to
     * the reader through the pty's link; the pty stays the same while the reader's configuration goes and comes
     * back; deleting the line's configuration removes the link and the pty.
     */
    @Test
    public void ptyModeUnderFelix() throws Exception {
        java.nio.file.Path link = java.nio.file.Path.of("/tmp/vccid-serial-pty-it");
        java.nio.file.Files.deleteIfExists(link);
        org.osgi.service.cm.Configuration reader = readerConfig();
        org.osgi.service.cm.Configuration line = configAdmin.getFactoryConfiguration("org.vccid.transport.serial",
                "it-pty", "?");
        Hashtable<String, Object> lp = new Hashtable<>();
        lp.put("pty", link.toString());
        lp.put("readerType", "GemPCTwin");
        lp.put("reader", "IT Serial");
        lp.put("firmware", "IT firmware");
        line.update(lp);
        java.nio.file.Path slave;
        try {
            long deadline = System.currentTimeMillis() + 30_000;
            while (!java.nio.file.Files.exists(link)) {
                assertTrue("the pty link did not appear", System.currentTimeMillis() < deadline);
                Thread.sleep(50);
            }
            slave = java.nio.file.Files.readSymbolicLink(link);
            assertTrue(slave.toString(), slave.toString().startsWith("/dev/pts/"));
            try (PtyHost h = new PtyHost(link)) {
                h.write(FIRMWARE);
                String answer = h.read(400);
                assertTrue(answer, answer.startsWith(FIRMWARE + " 03 06 83 0B 00 00 00 00 00"));
                Exchange x = (hex, ms) -> {
                    h.write(hex);
                    return h.read(ms);
                };
                assertEquals(GET_SLOT_STATUS + " 03 06 81 00 00 00 00 00 02 01 00 00 87",
                        until(x, GET_SLOT_STATUS, a -> a.endsWith(" 03 06 81 00 00 00 00 00 02 01 00 00 87")));

                reader.delete();
                assertEquals(GET_SLOT_STATUS, until(x, GET_SLOT_STATUS, GET_SLOT_STATUS::equals));
                readerConfig();
                String back = until(x, GET_SLOT_STATUS, a -> a.endsWith(" 03 06 81 00 00 00 00 00 02 01 00 00 87"));
                assertTrue(back, back.endsWith("03 06 81 00 00 00 00 00 02 01 00 00 87"));
                assertEquals("the same pty throughout", slave, java.nio.file.Files.readSymbolicLink(link));

                // the line's own configuration changes (firmware string): same pty, new answer
                lp.put("firmware", "IT firmware 2");
                line.update(lp);
                String fw = "";
                long until = System.currentTimeMillis() + 30_000;
                while (!fw.contains("49 54 20 66 69 72 6D 77 61 72 65 20 32") && System.currentTimeMillis() < until) {
                    Thread.sleep(200);
                    h.write(FIRMWARE);
                    fw = h.read(400);
                }
                assertTrue(fw, fw.startsWith(FIRMWARE + " 03 06 83 0D 00 00 00 00 00")); // "IT firmware 2"
                assertEquals("the same pty after the line's reconfiguration", slave,
                        java.nio.file.Files.readSymbolicLink(link));
                h.write(GET_SLOT_STATUS);
                back = h.read(1000);
                assertTrue(back, back.startsWith(GET_SLOT_STATUS + " 03 06 81"));
            }
        } finally {
            line.delete();
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (java.nio.file.Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || java.nio.file.Files.exists(slave)) {
            assertTrue("the link or the pty outlived the configuration", System.currentTimeMillis() < deadline);
            Thread.sleep(50);
        }
    }

    /**
     * The host's end of a pty (opened like a file; the pty is raw already). Reads only what is available (FIONREAD):
     * a read blocked in another thread would keep the slave open after close, and the line keeps a pty open while
     * anyone holds it.
     */
    static final class PtyHost implements AutoCloseable {
        final java.io.RandomAccessFile f;
        final java.io.FileInputStream in;

        PtyHost(java.nio.file.Path link) throws IOException {
            f = new java.io.RandomAccessFile(link.toFile(), "rw");
            in = new java.io.FileInputStream(f.getFD());
        }

        void write(String hex) throws IOException {
            f.write(Hex.decode(hex));
        }

        /** What arrived within ms. */
        String read(int ms) throws IOException, InterruptedException {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            long end = System.currentTimeMillis() + ms;
            while (System.currentTimeMillis() < end) {
                int n = in.available();
                if (n > 0) {
                    byte[] b = new byte[n];
                    got.write(b, 0, in.read(b));
                } else {
                    Thread.sleep(5);
                }
            }
            return Hex.spaced(got.toByteArray());
        }

        @Override
        public void close() throws IOException {
            f.close();
        }
    }

    private org.osgi.service.cm.Configuration readerConfig() throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration("org.vccid.reader", "serial-it",
                "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("name", "IT Serial");
        props.put("slots", 1);
        props.put("exchangeLevel", "TPDU");
        props.put("slot.cards", new String[] { "(vccid.card.type=test)" });
        c.update(props);
        return c;
    }

    /** Sends one frame and returns what arrived within ms. */
    interface Exchange {
        String send(String hex, int ms) throws Exception;
    }

    /**
     * Sends the frame again until the answer passes the check (ConfigAdmin and SCR act asynchronously: a reader
     * configured or deleted a moment ago may not be bound or unbound yet), for at most 30 s; the last answer.
     */
    private static String until(Exchange x, String hex, java.util.function.Predicate<String> ok) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        String answer = x.send(hex, 400);
        while (!ok.test(answer) && System.currentTimeMillis() < deadline) {
            answer = x.send(hex, 400);
        }
        return answer;
    }

    private static Socket connect() throws Exception {
        for (int i = 0; i < 100; i++) {
            try {
                Socket s = new Socket("127.0.0.1", PORT);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the serial line did not listen on " + PORT);
    }

    /** Everything that arrives until the line has been quiet for ms. */
    private static String read(InputStream in, int ms) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            if (in.available() > 0) {
                o.write(in.read());
            } else {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return Hex.spaced(o.toByteArray());
    }
}
