package org.vccid.transport.usbip.pcap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.vccid.transport.usbip.client.Capture;

/** Classic pcap files written by hand: USB/IP as Ethernet/IPv4/TCP on loopback, and usbmon (LINKTYPE 220). */
public final class Pcap {

    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_USB_LINUX_MMAPPED = 220;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Pcap(int linktype) {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144)
                .putInt(linktype);
        out.writeBytes(h.array());
    }

    public void record(long nanos, byte[] packet) {
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) (nanos / 1_000_000_000L)).putInt((int) (nanos / 1000 % 1_000_000)).putInt(packet.length)
                .putInt(packet.length);
        out.writeBytes(r.array());
        out.writeBytes(packet);
    }

    public void write(Path file) throws IOException {
        Files.write(file, out.toByteArray());
    }

    /** The connection as TCP between 127.0.0.1 ports, handshake and FIN included, segments of at most 1460 bytes. */
    public static Pcap tcp(Capture c) {
        Pcap p = new Pcap(LINKTYPE_ETHERNET);
        long t0 = System.currentTimeMillis() * 1_000_000L;
        long base = c.segments().isEmpty() ? 0 : c.segments().get(0).nanos();
        int[] seq = { 1000, 5000 }; // [client, server]
        p.record(t0, tcpPacket(c.clientPort, c.serverPort, seq[0] - 1, 0, 0x02, new byte[0]));
        p.record(t0, tcpPacket(c.serverPort, c.clientPort, seq[1] - 1, seq[0], 0x12, new byte[0]));
        p.record(t0, tcpPacket(c.clientPort, c.serverPort, seq[0], seq[1], 0x10, new byte[0]));
        long t = t0;
        for (Capture.Segment s : c.segments()) {
            t = Math.max(t + 1000, t0 + s.nanos() - base);
            int from = s.fromClient() ? 0 : 1;
            byte[] b = s.bytes();
            for (int off = 0; off < b.length; off += 1460) {
                byte[] chunk = java.util.Arrays.copyOfRange(b, off, Math.min(b.length, off + 1460));
                int src = s.fromClient() ? c.clientPort : c.serverPort;
                int dst = s.fromClient() ? c.serverPort : c.clientPort;
                p.record(t, tcpPacket(src, dst, seq[from], seq[1 - from], 0x18, chunk));
                seq[from] += chunk.length;
            }
        }
        p.record(t + 1000, tcpPacket(c.clientPort, c.serverPort, seq[0], seq[1], 0x11, new byte[0]));
        return p;
    }

    static byte[] tcpPacket(int sport, int dport, int seq, int ack, int flags, byte[] payload) {
        int ipLen = 20 + 20 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen); // big-endian
        b.put(new byte[6]).put(new byte[6]).putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0).putInt(0x7F000001).putInt(0x7F000001);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += (b.get(ip + i) & 0xFF) << 8 | b.get(ip + i + 1) & 0xFF;
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        b.putShort(ip + 10, (short) ~sum);
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack).put((byte) 0x50).put((byte) flags)
                .putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        return b.array();
    }
}
