package org.vccid.transport.usbip.tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.vccid.iso7816.Hex;
import org.vccid.transport.usbip.client.Capture;
import org.vccid.transport.usbip.pcap.Tshark;
import org.vccid.transport.usbip.pcap.UsbIpToUsbmon;

/**
 * Judge a live capture of USB/IP on loopback (e.g. {@code tshark -i lo -f 'tcp port 37590' -w live.pcap} while the
 * QEMU guest used our reader): 0 malformed frames with the usbip dissector, then every TCP connection converted to
 * usbmon and its CCID judged by usbccid. Prints "N passed, N failed"; exit status 0 only if nothing failed.
 *
 * <pre>
 * java -cp ... org.vccid.transport.usbip.tools.JudgeCapture live.pcap 37590
 * </pre>
 */
public final class JudgeCapture {

    private JudgeCapture() {
    }

    public static void main(String[] args) throws Exception {
        Path pcap = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        int passed = 0;
        int failed = 0;
        Tshark.UsbIpVerdict u = Tshark.judgeUsbIp(pcap, port);
        System.out.println("usbip dissector: " + u.frames() + " frames, " + u.usbipPdus() + " USB/IP PDUs, "
                + u.malformed() + " malformed");
        if (u.malformed() == 0 && u.usbipPdus() > 0) {
            passed++;
        } else {
            failed++;
        }
        TreeSet<Integer> streams = new TreeSet<>();
        for (String s : Tshark.run("-r", pcap.toString(), "-Y", "tcp.len>0", "-T", "fields", "-e", "tcp.stream")) {
            streams.add(Integer.parseInt(s.trim()));
        }
        for (int stream : streams) {
            List<Capture.Segment> segs = follow(pcap, stream);
            UsbIpToUsbmon conv = UsbIpToUsbmon.convert(segs);
            if (conv.urbs == 0) {
                System.out.println("stream " + stream + ": no URBs (device list or refused import)");
                continue;
            }
            Path mon = pcap.resolveSibling(pcap.getFileName() + ".stream" + stream + ".usbmon.pcap");
            conv.pcap().write(mon);
            Tshark.CcidVerdict v = Tshark.judgeCcid(mon);
            System.out.println("stream " + stream + ": " + conv.urbs + " URBs, " + conv.unlinked + " cancelled by"
                    + " unlink, " + v.commands + " CCID commands, " + v.xfrBlocks + " XfrBlocks; usbccid checks: "
                    + v + " (" + mon + ")");
            passed += v.passed;
            failed += v.failures.size();
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 && passed > 1 ? 0 : 1);
    }

    /** One TCP connection's payload, in order, from tshark's follow,tcp,raw (server lines are tab-indented). */
    static List<Capture.Segment> follow(Path pcap, int stream) throws Exception {
        List<Capture.Segment> segs = new ArrayList<>();
        long t = 0;
        boolean body = false;
        for (String line : Tshark.run("-r", pcap.toString(), "-q", "-z", "follow,tcp,raw," + stream)) {
            if (line.startsWith("Node 1:")) {
                body = true;
                continue;
            }
            if (!body || line.startsWith("=")) {
                continue;
            }
            boolean fromServer = line.startsWith("\t");
            segs.add(new Capture.Segment(!fromServer, t += 1000, Hex.decode(line.trim())));
        }
        return segs;
    }
}
