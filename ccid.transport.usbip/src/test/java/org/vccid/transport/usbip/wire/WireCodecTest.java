package org.vccid.transport.usbip.wire;

import static org.junit.jupiter.api.Assertions.*;
import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vccid.iso7816.Hex;
import org.vccid.transport.usbip.wire.UsbDeviceInfo.UsbInterfaceInfo;

/** Byte vectors from usbip_protocol.rst and the Linux sources (usbip.md 1.2, 1.3). */
class WireCodecTest {

    static UsbDeviceInfo device(String busid, int devnum) {
        return new UsbDeviceInfo("/sys/devices/x/" + busid, busid, 1, devnum, SPEED_FULL, 0x1209, 0x0001, 0x0100, 0,
                0, 0, 1, 1, List.of(new UsbInterfaceInfo(0x0B, 0, 0)));
    }

    static String hex(byte[] b, int off, int len) {
        return Hex.spaced(b, off, len);
    }

    @Test
    void devlistRequest() {
        assertEquals("01 11 80 05 00 00 00 00", Hex.spaced(OpMessages.devlistRequest()));
    }

    @Test
    void devlistReplyOffsetsFollowTheRstTable() {
        byte[] b = OpMessages.devlistReply(List.of(device("1-1", 1), device("1-2", 2)));
        assertEquals(12 + 2 * (0x138 + 4), b.length);
        assertEquals("01 11 00 05 00 00 00 00 00 00 00 02", hex(b, 0, 12));
        assertEquals("/sys/devices/x/1-1", new String(b, 0x0C, 18));
        assertEquals(0, b[0x0C + 18], "path NUL-terminated");
        assertEquals("31 2D 31 00", hex(b, 0x10C, 4), "first busid at 0x10C");
        int d = 0x0C;
        assertEquals("00 00 00 01 00 00 00 01 00 00 00 02", hex(b, d + 0x120, 12), "busnum, devnum, speed");
        assertEquals("12 09 00 01 01 00", hex(b, d + 0x12C, 6), "idVendor, idProduct, bcdDevice big-endian");
        assertEquals("00 00 00 01 01 01", hex(b, d + 0x132, 6), "class, subclass, protocol, config, nconfigs, nifs");
        assertEquals("0B 00 00 00", hex(b, d + 0x138, 4), "interface entry");
        int second = 0x0C + 0x138 + 4; // device i at 0xC + i*0x138 + (interfaces so far)*4
        assertEquals("31 2D 32 00", hex(b, second + 0x100, 4));
        UsbDeviceInfo back = UsbDeviceInfo.parse(b, second, true);
        assertEquals(device("1-2", 2), back);
    }

    @Test
    void importRequestAndReplies() {
        byte[] req = OpMessages.importRequest("1-1");
        assertEquals(40, req.length);
        assertEquals("01 11 80 03 00 00 00 00 31 2D 31 00", hex(req, 0, 12));
        assertEquals("1-1", OpMessages.importBusid(req, 8));
        byte[] full = new byte[32];
        Arrays.fill(full, (byte) 'A');
        assertEquals("A".repeat(32), OpMessages.importBusid(full, 0), "a busid filling all 32 bytes");

        byte[] ok = OpMessages.importReply(ST_OK, device("1-1", 1));
        assertEquals(320, ok.length);
        assertEquals("01 11 00 03 00 00 00 00", hex(ok, 0, 8));
        assertEquals(device("1-1", 1).bNumInterfaces(), UsbDeviceInfo.parse(ok, 8, false).bNumInterfaces());
        assertEquals("1-1", UsbDeviceInfo.parse(ok, 8, false).busid());
        assertEquals("01 11 00 03 00 00 00 04", Hex.spaced(OpMessages.importReply(ST_NODEV, null)),
                "an error reply ends after op_common");
        assertEquals("01 11 00 03 00 00 00 02", Hex.spaced(OpMessages.importReply(ST_DEV_BUSY, null)));
    }

    @Test
    void cmdSubmitAsVhciSendsIt() {
        // GET_DESCRIPTOR(DEVICE, 64) from vhci: seqnum 5, devid 1-1, IN, ep 0, URB_DIR_IN, 64 bytes
        byte[] h = Hex.decode("00000001 00000005 00010001 00000001 00000000"
                + "00000200 00000040 00000000 00000000 00000000 8006000100004000");
        assertEquals(48, h.length);
        assertEquals(0, CmdSubmit.dataLength(h, 0), "IN: no data follows");
        CmdSubmit c = CmdSubmit.parse(h, 0, new byte[0]);
        assertEquals(5, c.seqnum());
        assertEquals(devid(1, 1), c.devid());
        assertTrue(c.isIn());
        assertEquals(0, c.ep());
        assertEquals(URB_DIR_IN, c.transferFlags());
        assertEquals(64, c.transferBufferLength());
        assertEquals("80 06 00 01 00 00 40 00", Hex.spaced(c.setup()), "setup bytes as on the bus");
        assertArrayEquals(h, c.toBytes());

        byte[] out = new CmdSubmit(6, devid(1, 1), USBIP_DIR_OUT, 1, 0, 3, 0, 0, 0, new byte[8],
                Hex.decode("65 00 00")).toBytes();
        assertEquals(51, out.length);
        assertEquals(3, CmdSubmit.dataLength(out, 0));
        byte[] hostile = out.clone();
        putBe32(hostile, 0x18, -1);
        assertEquals(0xFFFFFFFFL, CmdSubmit.dataLength(hostile, 0), "lengths are unsigned");
        assertTrue(CmdSubmit.isNonIso(0));
        assertTrue(CmdSubmit.isNonIso(-1));
        assertFalse(CmdSubmit.isNonIso(1));
    }

    @Test
    void retSubmitAndUnlinkReplies() {
        byte[] r = RetSubmit.encode(7, 0, Hex.decode("AA 12 01 BB"), 1, 2);
        assertEquals("00 00 00 03 00 00 00 07 00 00 00 00 00 00 00 00 00 00 00 00", hex(r, 0, 20),
                "devid, direction, ep zero as the kernel stub sends them");
        assertEquals("00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00", hex(r, 20, 20),
                "status 0, actual_length 2, start_frame, number_of_packets, error_count 0");
        assertEquals("00 00 00 00 00 00 00 00 12 01", hex(r, 40, 10));
        RetSubmit p = RetSubmit.parse(r, 0, Arrays.copyOfRange(r, 48, 50));
        assertEquals(7, p.seqnum());
        assertEquals(2, p.actualLength());

        byte[] stall = RetSubmit.encodeNoData(8, EPIPE, 0);
        assertEquals("FF FF FF E0", hex(stall, 0x14, 4), "-EPIPE");
        byte[] unlinked = new RetUnlink(9, ECONNRESET).toBytes();
        assertEquals(48, unlinked.length);
        assertEquals("00 00 00 04 00 00 00 09", hex(unlinked, 0, 8));
        assertEquals("FF FF FF 98", hex(unlinked, 0x14, 4), "-ECONNRESET");
        assertEquals(new RetUnlink(9, ECONNRESET), RetUnlink.parse(unlinked, 0));

        CmdUnlink u = new CmdUnlink(10, devid(1, 1), 0, 0, 5);
        byte[] ub = u.toBytes();
        assertEquals("00 00 00 02 00 00 00 0A 00 01 00 01", hex(ub, 0, 12));
        assertEquals("00 00 00 05", hex(ub, 0x14, 4));
        assertEquals(u, CmdUnlink.parse(ub, 0));
    }

    @Test
    void deviceInfoRejectsFieldsThatDoNotFit() {
        assertThrows(IllegalArgumentException.class, () -> device("x".repeat(32), 1));
        assertThrows(IllegalArgumentException.class, () -> device("", 1));
    }
}
