package org.vccid.transport.usbip.pcap;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vccid.ccid.Ccid;

/** tshark as the judge of captures (peers-lab.md Part B). */
public final class Tshark {

    public static final String TSHARK = "/usr/bin/tshark";

    private Tshark() {
    }

    public static String unavailableReason() {
        return new File(TSHARK).canExecute() ? null : "tshark is not installed (apt-get install tshark)";
    }

    /** Run tshark with these arguments; stdout lines. */
    public static List<String> run(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(TSHARK);
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("tshark did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("tshark " + args[0] + " ... exited with " + p.exitValue() + ": " + out);
        }
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l);
            }
        }
        return lines;
    }

    /** What the usbip dissector made of a TCP capture. */
    public record UsbIpVerdict(int frames, int usbipPdus, int malformed) {
    }

    public static UsbIpVerdict judgeUsbIp(Path pcap, int port) throws IOException {
        List<String> all = run("-r", pcap.toString(), "-d", "tcp.port==" + port + ",usbip", "-T", "fields", "-E",
                "occurrence=a", "-e", "frame.number", "-e", "usbip.sequence_no", "-e", "usbip.operation", "-e",
                "_ws.malformed");
        int pdus = 0;
        int malformed = 0;
        for (String l : all) {
            String[] f = l.split("\t", -1);
            pdus += count(f[1]) + count(f[2]);
            malformed += f.length > 3 && !f[3].isEmpty() ? 1 : 0;
        }
        return new UsbIpVerdict(all.size(), pdus, malformed);
    }

    private static int count(String field) {
        return field.isEmpty() ? 0 : field.split(",").length;
    }

    /** The CCID judged in a usbmon capture: "N passed, N failed" with the reasons. */
    public static final class CcidVerdict {
        public int passed;
        public final List<String> failures = new ArrayList<>();
        public int commands;
        public int xfrBlocks;
        public final List<String> apdus = new ArrayList<>();
        public int notifications;
        /** Answers (not to IccPowerOn) that tshark's iso7816 dissector took for a malformed ATR; not failures. */
        public int atrMisreads;

        void check(boolean ok, String what) {
            if (ok) {
                passed++;
            } else {
                failures.add(what);
            }
        }

        @Override
        public String toString() {
            return passed + " passed, " + failures.size() + " failed" + (failures.isEmpty() ? "" : ": " + failures)
                    + (atrMisreads == 0 ? "" : " (" + atrMisreads + " answer(s) starting with 3B misread as an ATR by"
                            + " tshark, not counted)");
        }
    }

    /**
     * Every PC_to_RDR message is answered by the matching RDR_to_PC type with the same bSlot and bSeq, before the
     * next command; dwLength agrees with the bytes on the wire; nothing is malformed.
     * <p>
     * One exception: tshark's iso7816 dissector decodes every card-to-reader payload that starts with 3B or 3F as an
     * ATR, so random bytes (a GET CHALLENGE answer "3B F9 25 2D E1 BE FA F5 90 00" from the CAC, seen in a guest
     * run) come out as a "malformed ATR". A DataBlock that answers anything but IccPowerOn and was taken for an ATR
     * is therefore not counted as malformed; everything else still is.
     */
    public static CcidVerdict judgeCcid(Path usbmon) throws IOException {
        List<String> lines = run("-r", usbmon.toString(), "-d", "usbccid.subdissector,iso7816", "-Y",
                "usbccid || _ws.malformed", "-T", "fields", "-E", "occurrence=f", "-e", "frame.number", "-e",
                "usb.endpoint_address", "-e", "usbccid.bMessageType", "-e", "usbccid.bSlot", "-e", "usbccid.bSeq",
                "-e", "usbccid.dwLength", "-e", "usb.data_len", "-e", "_ws.malformed", "-e", "iso7816.apdu.cla", "-e",
                "iso7816.apdu.ins", "-e", "iso7816.atr.init_char");
        CcidVerdict v = new CcidVerdict();
        int[] open = null; // type, slot, seq of the unanswered command
        for (String l : lines) {
            String[] f = l.split("\t", -1);
            String frame = "frame " + f[0];
            if (f[2].isEmpty()) {
                v.check(f[7].isEmpty(), frame + " malformed");
                continue;
            }
            int type = Integer.decode(f[2]);
            boolean payloadTakenForAtr = type == Ccid.RDR_TO_PC_DATA_BLOCK && !f[10].isEmpty()
                    && (open == null || open[0] != Ccid.PC_TO_RDR_ICC_POWER_ON);
            if (payloadTakenForAtr && !f[7].isEmpty()) {
                v.atrMisreads++;
            } else {
                v.check(f[7].isEmpty(), frame + " malformed");
            }
            if (type == Ccid.RDR_TO_PC_NOTIFY_SLOT_CHANGE) {
                v.notifications++;
                v.check(Integer.decode(f[1]) == 0x83, frame + " NotifySlotChange on the interrupt endpoint");
                continue;
            }
            int slot = Integer.decode(f[3]);
            int seq = Integer.decode(f[4]);
            v.check(Long.decode(f[5]) + Ccid.HEADER_LENGTH == Long.decode(f[6]),
                    frame + " dwLength " + f[5] + " + 10 = data length " + f[6]);
            if (Ccid.isPcToRdr(type)) {
                v.check(open == null, frame + " command while another is unanswered");
                open = new int[] { type, slot, seq };
                v.commands++;
                if (type == Ccid.PC_TO_RDR_XFR_BLOCK) {
                    v.xfrBlocks++;
                    // CLA, and INS where the class is interindustry (tshark leaves proprietary INS undecoded)
                    v.apdus.add(f[8] + (f[9].isEmpty() ? "" : " " + f[9]));
                }
            } else {
                if (open == null) {
                    v.check(false, frame + " answer without a command");
                    continue;
                }
                v.check(type == Ccid.responseType(open[0]) && slot == open[1] && seq == open[2],
                        String.format("%s answer 0x%02X slot %d seq %d to 0x%02X slot %d seq %d", frame, type, slot,
                                seq, open[0], open[1], open[2]));
                open = null;
            }
        }
        v.check(open == null, "last command answered");
        return v;
    }
}
