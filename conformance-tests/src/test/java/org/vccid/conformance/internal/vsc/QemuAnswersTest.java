package org.vccid.conformance.internal.vsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vccid.iso7816.Hex;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscMessage;

/**
 * Real peer: the host the vsc target plays ({@link PassthruHost}) answers byte for byte as QEMU's
 * {@code ccid-card-passthru} does. QEMU runs with no guest ({@code -S}, TCG) and its passthru chardev listening on
 * 127.0.0.1:37670-37672; a raw socket plays a card side and sends both the same messages, one at a time, then the
 * answers are compared. Skips when qemu-system-x86_64 (qemu-system-x86) or its ccid-card-passthru device is missing.
 * (APDUs need a guest to issue them: the guest runs of ccid.transport.vsc cover that path.)
 */
class QemuAnswersTest {

    static final String QEMU = "qemu-system-x86_64";
    /** QEMU's chardev port: the first of these we can bind (one may be a client's ephemeral port for a while). */
    static final int[] PORTS = {37670, 37671, 37672};

    @TempDir
    Path dir;

    private static VscMessage m(int type, int reader, String payloadHex) {
        return new VscMessage(type, reader, Hex.decode(payloadHex));
    }

    @Test
    void passthruHostAnswersAsQemu() throws Exception {
        String missing = missing();
        if (missing != null) {
            System.out.println("SKIP QemuAnswersTest: " + missing);
        }
        assumeTrue(missing == null, missing);
        List<VscMessage> script = List.of(
                m(Vsc.VSC_Init, Vsc.UNDEFINED_READER_ID, "56534344 00000002 00000000"),
                VscMessage.readerAdd("vccid conformance"),
                m(Vsc.VSC_ReaderAdd, Vsc.UNDEFINED_READER_ID, ""), // a second reader on one passthru device
                m(Vsc.VSC_ATR, 0, "3B85800176636369647F"), // the reference card
                m(Vsc.VSC_ATR, 0, "3B88800176636369"), // truncated
                m(Vsc.VSC_ATR, 0, "3C00"), // TS 3C
                m(Vsc.VSC_ATR, 0, "3B0F" + "00".repeat(39)), // 41 bytes
                m(Vsc.VSC_ATR, 5, "3B800180"), // T=1, wrong TCK (QEMU does not check it), another reader id
                m(Vsc.VSC_APDU, 0, "9000"), // an answer nobody asked for: no reply
                m(Vsc.VSC_Error, 0, "00000001"), // an error nobody asked for: no reply
                m(Vsc.VSC_CardRemove, 0, ""),
                m(Vsc.VSC_Flush, 0, ""), // host-to-client only
                m(Vsc.VSC_FlushComplete, 0, ""), // never asked for
                m(0x63, 3, "0102"), // unknown type
                m(Vsc.VSC_Init, 0, "58585858 00000002 00000000"), // wrong magic: QEMU logs and answers
                m(Vsc.VSC_ReaderRemove, 0, ""),
                m(0x64, 0, "")); // a last unknown type: both answer it, so nothing was left unread before it

        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        List<VscMessage> ours = new ArrayList<>();
        PassthruHost host = new PassthruHost(ours::add);
        int port = freePort();
        Path log = dir.resolve("qemu.log");
        Process qemu = new ProcessBuilder(QEMU, "-machine", "q35", "-accel", "tcg", "-display", "none",
                "-nodefaults", "-S", "-monitor", "none", "-serial", "none",
                "-device", "piix3-usb-uhci,id=hc", "-device", "usb-ccid,bus=hc.0",
                "-chardev", "socket,id=ccid,host=127.0.0.1,port=" + port + ",server=on,wait=off",
                "-device", "ccid-card-passthru,chardev=ccid,debug=4")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (Socket s = connect(port)) {
            s.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            int compared = 0;
            for (VscMessage msg : script) {
                ours.clear();
                host.onMessage(msg);
                out.write(msg.encode());
                out.flush();
                for (VscMessage want : ours) {
                    VscMessage got = read(in, msg);
                    assertEquals(Hex.spaced(want.encode()), Hex.spaced(got.encode()), "QEMU's answer to " + msg);
                    compared++;
                }
                sink.writeBytes(msg.encode());
            }
            assertEquals(15, compared, "answers compared");
        } finally {
            qemu.destroy();
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            System.out.println("QEMU output:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    private static VscMessage read(DataInputStream in, VscMessage after) throws IOException {
        try {
            int type = in.readInt();
            int reader = in.readInt();
            byte[] p = new byte[in.readInt()];
            in.readFully(p);
            return new VscMessage(type, reader, p);
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("QEMU sent no answer to " + after + " within 30 s (the host does)");
        }
    }

    /** QEMU's chardev listens shortly after the process starts: retry until it does (bounded). */
    private static int freePort() throws IOException {
        for (int p : PORTS) {
            try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", p));
                return p;
            } catch (IOException e) {
                // next
            }
        }
        throw new IOException("none of " + java.util.Arrays.toString(PORTS) + " is free");
    }

    private static Socket connect(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException e) {
                s.close();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("QEMU's chardev on 127.0.0.1:" + port + " did not listen within 60 s", e);
                }
                Thread.sleep(50);
            }
        }
    }

    static String missing() throws Exception {
        Process which = new ProcessBuilder("sh", "-c", "command -v " + QEMU).start();
        which.getInputStream().readAllBytes();
        if (which.waitFor() != 0) {
            return QEMU + " not installed (apt-get install qemu-system-x86)";
        }
        Process help = new ProcessBuilder(QEMU, "-device", "help").redirectErrorStream(true).start();
        String out = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        help.waitFor(30, TimeUnit.SECONDS);
        return out.contains("ccid-card-passthru") ? null : "this QEMU has no ccid-card-passthru device";
    }
}
