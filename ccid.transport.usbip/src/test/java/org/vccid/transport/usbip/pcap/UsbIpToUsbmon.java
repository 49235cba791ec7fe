package org.vccid.transport.usbip.pcap;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vccid.transport.usbip.client.Capture;
import org.vccid.transport.usbip.usb.Setup;
import org.vccid.transport.usbip.wire.CmdSubmit;
import org.vccid.transport.usbip.wire.CmdUnlink;
import org.vccid.transport.usbip.wire.RetSubmit;

/**
 * Converts a USB/IP connection (both byte streams, in wire order) into usbmon records (LINKTYPE 220), so that
 * tshark's usbccid dissector can judge the CCID inside; tshark 4.0 does not decode CCID inside USB/IP. Each
 * CMD_SUBMIT becomes an 'S' event, its RET_SUBMIT (or a RET_UNLINK that cancelled it) a 'C' event. Endpoint
 * transfer types come from the configuration descriptor seen in the capture.
 */
public final class UsbIpToUsbmon {

    private final Pcap pcap = new Pcap(Pcap.LINKTYPE_USB_LINUX_MMAPPED);
    private final ByteArrayOutputStream[] buf = { new ByteArrayOutputStream(), new ByteArrayOutputStream() };
    private final boolean[] opDone = new boolean[2];
    private final Map<Integer, CmdSubmit> pending = new HashMap<>();
    private final Map<Integer, Integer> unlinkTargets = new HashMap<>();
    private final Map<Integer, Integer> endpointTypes = new HashMap<>();
    private long nanos;
    public int urbs;
    public int unlinked;

    public static UsbIpToUsbmon convert(List<Capture.Segment> segments) {
        UsbIpToUsbmon c = new UsbIpToUsbmon();
        for (Capture.Segment s : segments) {
            c.feed(s.fromClient(), s.nanos(), s.bytes());
        }
        return c;
    }

    public Pcap pcap() {
        return pcap;
    }

    public void feed(boolean fromClient, long when, byte[] bytes) {
        nanos = Math.max(nanos + 1000, when);
        int d = fromClient ? 0 : 1;
        buf[d].writeBytes(bytes);
        byte[] b = buf[d].toByteArray();
        int used = fromClient ? client(b) : server(b);
        buf[d].reset();
        buf[d].write(b, used, b.length - used);
    }

    /** @return bytes consumed */
    private int client(byte[] b) {
        int off = 0;
        if (!opDone[0]) {
            if (b.length < 8) {
                return 0;
            }
            int need = be16(b, 2) == OP_REQ_IMPORT ? IMPORT_REQUEST_LENGTH : OP_COMMON_LENGTH;
            if (b.length < need) {
                return 0;
            }
            opDone[0] = true;
            off = need;
        }
        while (b.length - off >= URB_HEADER_LENGTH) {
            int cmd = be32(b, off);
            if (cmd == USBIP_CMD_SUBMIT) {
                long n = CmdSubmit.dataLength(b, off);
                if (b.length - off - URB_HEADER_LENGTH < n) {
                    break;
                }
                byte[] data = Arrays.copyOfRange(b, off + URB_HEADER_LENGTH, off + URB_HEADER_LENGTH + (int) n);
                CmdSubmit c = CmdSubmit.parse(b, off, data);
                pending.put(c.seqnum(), c);
                event('S', c, 0, c.transferBufferLength(), c.isIn() ? new byte[0] : data);
                urbs++;
                off += URB_HEADER_LENGTH + (int) n;
            } else if (cmd == USBIP_CMD_UNLINK) {
                CmdUnlink u = CmdUnlink.parse(b, off);
                unlinkTargets.put(u.seqnum(), u.unlinkSeqnum());
                off += URB_HEADER_LENGTH;
            } else {
                throw new IllegalStateException("client sent command " + cmd);
            }
        }
        return off;
    }

    private int server(byte[] b) {
        int off = 0;
        if (!opDone[1]) {
            if (b.length < 8) {
                return 0;
            }
            int need = be16(b, 2) == OP_REP_IMPORT && be32(b, 4) == ST_OK ? OP_COMMON_LENGTH + DEVICE_LENGTH
                    : OP_COMMON_LENGTH;
            if (be16(b, 2) == OP_REP_DEVLIST) {
                return b.length; // a device list carries no URBs
            }
            if (b.length < need) {
                return 0;
            }
            opDone[1] = true;
            off = need;
        }
        while (b.length - off >= URB_HEADER_LENGTH) {
            int cmd = be32(b, off);
            int seq = be32(b, off + 4);
            if (cmd == USBIP_RET_SUBMIT) {
                CmdSubmit c = pending.get(seq);
                if (c == null) {
                    throw new IllegalStateException("RET_SUBMIT for seqnum " + seq + " that is not pending");
                }
                int actual = RetSubmit.actualLength(b, off);
                int n = c.isIn() ? actual : 0;
                if (b.length - off - URB_HEADER_LENGTH < n) {
                    break;
                }
                pending.remove(seq);
                byte[] data = Arrays.copyOfRange(b, off + URB_HEADER_LENGTH, off + URB_HEADER_LENGTH + n);
                if (c.ep() == 0 && Setup.parse(c.setup(), 0).wValue() >> 8 == 2 && data.length > 9) {
                    learnEndpoints(data);
                }
                event('C', c, be32(b, off + 0x14), actual, data);
                off += URB_HEADER_LENGTH + n;
            } else if (cmd == USBIP_RET_UNLINK) {
                Integer target = unlinkTargets.remove(seq);
                if (target != null && be32(b, off + 0x14) == ECONNRESET) {
                    CmdSubmit c = pending.remove(target);
                    if (c != null) {
                        event('C', c, ECONNRESET, 0, new byte[0]);
                        unlinked++;
                    }
                }
                off += URB_HEADER_LENGTH;
            } else {
                throw new IllegalStateException("server sent command " + cmd);
            }
        }
        return off;
    }

    private void learnEndpoints(byte[] config) {
        for (int off = 0; off + 1 < config.length && (config[off] & 0xFF) >= 2; off += config[off] & 0xFF) {
            if (config[off + 1] == 5 && off + 3 < config.length) {
                endpointTypes.put(config[off + 2] & 0xFF, config[off + 3] & 0x03);
            }
        }
    }

    /** usbmon xfer_type: 0 ISO, 1 interrupt, 2 control, 3 bulk. */
    private int xferType(CmdSubmit c) {
        if (c.ep() == 0) {
            return 2;
        }
        int usbType = endpointTypes.getOrDefault(c.ep() | (c.isIn() ? 0x80 : 0), 2);
        return switch (usbType) {
        case 1 -> 0;
        case 3 -> 1;
        case 0 -> 2;
        default -> 3;
        };
    }

    private void event(char type, CmdSubmit c, int status, int length, byte[] data) {
        ByteBuffer h = ByteBuffer.allocate(64 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        h.putLong(c.seqnum() & 0xFFFFFFFFL); // URB id
        h.put((byte) type);
        h.put((byte) xferType(c));
        h.put((byte) (c.ep() | (c.isIn() ? 0x80 : 0)));
        h.put((byte) (c.devid() & 0xFF));
        h.putShort((short) (c.devid() >>> 16));
        h.put((byte) (type == 'S' && c.ep() == 0 ? 0 : '-')); // flag_setup: 0 = setup present
        h.put((byte) (data.length > 0 ? 0 : type == 'S' ? '<' : '>')); // flag_data
        h.putLong(nanos / 1_000_000_000L);
        h.putInt((int) (nanos / 1000 % 1_000_000));
        h.putInt(type == 'S' ? -115 : status); // -EINPROGRESS while submitted, as usbmon shows it
        h.putInt(length);
        h.putInt(data.length);
        h.put(c.ep() == 0 ? c.setup() : new byte[8]);
        h.putInt(c.interval());
        h.putInt(0);
        h.putInt(c.transferFlags());
        h.putInt(0);
        h.put(data);
        pcap.record(nanos, h.array());
    }
}
