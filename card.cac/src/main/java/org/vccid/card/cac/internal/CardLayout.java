package org.vccid.card.cac.internal;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.vccid.card.cac.internal.SimpleTlv.Member;
import org.vccid.iso7816.Hex;

/**
 * The applets of a CAC and their immutable content (GSC-IS 2.1 / CAC data model as libcacard presents it): CCC, ACA,
 * PKI applets, the empty CAC containers, GlobalPlatform and Microsoft applets. Pure; built once per card.
 */
final class CardLayout {

    static final byte[] RID_DOD = Hex.decode("A000000079");
    static final byte[] AID_CCC = Hex.decode("A0000001 16DB00");
    static final byte[] AID_ACA = Hex.decode("A0000000 790300");
    static final byte[] AID_GP = Hex.decode("A0000000 030000");
    static final byte[] AID_MSFT = Hex.decode("A0000003 97434944 5F0100");
    static final byte[] AID_ACCESS_CONTROL = Hex.decode("A0000001 163000");

    /** Applet family 10, version 02 06 02 03 (ACA: 02 06 02 02). */
    static final byte[] APPLET_INFO = Hex.decode("01 05 10 02 06 02 03");
    static final byte[] ACA_APPLET_INFO = Hex.decode("01 05 10 02 06 02 02");
    /** Appended by the undocumented GET PROPERTIES P1=40. */
    static final byte[] LONG_PROPERTIES_SUFFIX = Hex.decode("39 01 00 3A 07 A0 00 00 00 79 03 00");

    static final byte[] GP_FCI = Hex.decode(
            "6F 19 84 08 A0 00 00 00 03 00 00 00 A5 0D 9F 6E 06 12 91 51 81 01 00 9F 65 01 FF");
    /** GP 2.1.1 card recognition data (tag 66), SCP02 i=15. */
    static final byte[] GP_CARD_RECOGNITION_DATA = Hex.decode("66 31 73 2F"
            + " 06 07 2A 86 48 86 FC 6B 01"
            + " 60 0C 06 0A 2A 86 48 86 FC 6B 02 02 01 01"
            + " 63 09 06 07 2A 86 48 86 FC 6B 03"
            + " 64 0B 06 09 2A 86 48 86 FC 6B 04 02 15");
    /** Microsoft PnP GET DATA 7F68 answer (as libcacard). */
    static final byte[] MSFT_7F68 = Hex.decode(
            "30 1D 02 01 00 16 04 4D 53 46 54 30 12 04 10 E2 80 E9 D2 51 88 87 4F 81 D6 4F 25 4E 38 00 1D");

    final Applet[] applets;
    /** GP CPLC (GET DATA 9F7F), 45 bytes. */
    final byte[] cplc;
    /** ACA GET ACR answers by P1. */
    final byte[] acrTable;
    final byte[] appletObjectTable;
    final byte[] ampTable;
    final byte[] serviceTable;

    private CardLayout(Applet[] applets, byte[] cplc, byte[] acrTable, byte[] appletObjectTable, byte[] ampTable,
            byte[] serviceTable) {
        this.applets = applets;
        this.cplc = cplc;
        this.acrTable = acrTable;
        this.appletObjectTable = appletObjectTable;
        this.ampTable = ampTable;
        this.serviceTable = serviceTable;
    }

    static byte[] pkiAid(int i) {
        return new byte[] { (byte) 0xA0, 0, 0, 0, 0x79, 0x01, (byte) i };
    }

    /**
     * @param certificates DER certificates, one per PKI applet (1..10)
     * @param modulusBits RSA modulus length of each key
     */
    static CardLayout build(List<byte[]> certificates, int[] modulusBits) {
        if (certificates.isEmpty() || certificates.size() > 10) {
            throw new IllegalArgumentException("a CAC holds 1..10 PKI applets, not " + certificates.size());
        }
        byte[] digest = sha256(certificates.get(0));
        List<Applet> list = new ArrayList<>();

        // CCC (3.8): CUID, versions, one CardURL per PKI applet, data model, access control; empty FS tags last.
        List<Member> ccc = new ArrayList<>();
        ccc.add(new Member(0xF0, SimpleTlv.concat(RID_DOD, new byte[] { 0x03, 0x02 }, Arrays.copyOf(digest, 14))));
        ccc.add(new Member(0xF1, new byte[] { 0x21 }));
        ccc.add(new Member(0xF2, new byte[] { 0x21 }));
        for (int i = 0; i < certificates.size(); i++) {
            byte[] url = new byte[16];
            System.arraycopy(RID_DOD, 0, url, 0, 5);
            url[5] = 0x04; // PKI application
            url[6] = 0x01; // object ID
            url[7] = (byte) i;
            url[8] = 0x01; // application ID
            url[9] = (byte) i;
            ccc.add(new Member(0xF3, url));
        }
        ccc.add(new Member(0xF4, new byte[] { 0x00 }));
        ccc.add(new Member(0xF5, new byte[] { 0x10 }));
        ccc.add(new Member(0xF6, SimpleTlv.concat(Hex.decode("07 A0 00 00 00 79 03 00"), new byte[9])));
        for (int tag : new int[] { 0xF7, 0xFA, 0xFB, 0xFC, 0xFE }) {
            ccc.add(new Member(tag, new byte[0]));
        }
        list.add(tvApplet(AID_CCC, Applet.Kind.CCC, new byte[][] { { (byte) 0xDB, 0x00 } }, ccc, -1));

        // ACA (no buffers, GET ACR).
        list.add(new Applet(AID_ACA, Applet.Kind.ACA, new byte[][] { { 0x03, 0x00 } }, null, null, ACA_APPLET_INFO,
                SimpleTlv.concat(ACA_APPLET_INFO, LONG_PROPERTIES_SUFFIX), fci(AID_ACA), -1));

        // PKI applets: certificate object 71 CertInfo (00 = not compressed), 70 certificate, 72 MSCUID, FE EDC.
        for (int i = 0; i < certificates.size(); i++) {
            List<Member> cert = List.of(new Member(0x71, new byte[] { 0x00 }),
                    new Member(0x70, certificates.get(i)), new Member(0x72, new byte[0]),
                    new Member(0xFE, new byte[0]));
            byte[] t = SimpleTlv.tagBuffer(cert);
            byte[] v = SimpleTlv.valueBuffer(cert);
            byte[] coid = { 0x01, (byte) i };
            // 51 PKI object: 41 OID, 42 buffer properties, 43 PKI properties (RSA, modulus/64, keys initialised).
            // 17 bytes, the length OpenSC's cac driver requires (libcacard appends 26 01 01 and so sends 20).
            byte[] object = SimpleTlv.concat(SimpleTlv.tlv(0x41, coid), SimpleTlv.tlv(0x42, bufferProperties(t, v)),
                    SimpleTlv.tlv(0x43, new byte[] { 0x06, (byte) (modulusBits[i] / 64), 0x01, 0x01 }));
            byte[] props = SimpleTlv.concat(APPLET_INFO, Hex.decode("40 01 01"), SimpleTlv.tlv(0x51, object));
            list.add(new Applet(pkiAid(i), Applet.Kind.PKI, new byte[][] { coid }, t, v, props,
                    SimpleTlv.concat(props, LONG_PROPERTIES_SUFFIX), fci(pkiAid(i)), i));
        }

        // Empty CAC containers as libcacard declares them.
        list.add(emptyApplet(cacAid(0x02, 0xFB), 0x02FB));
        list.add(emptyApplet(cacAid(0x12, 0x01), 0x1201));
        list.add(emptyApplet(cacAid(0x12, 0x02), 0x1202));
        list.add(emptyApplet(cacAid(0x02, 0xF0)));
        list.add(emptyApplet(cacAid(0x02, 0xF1)));
        list.add(emptyApplet(cacAid(0x02, 0xF2)));
        list.add(emptyApplet(AID_ACCESS_CONTROL, 0x3000, 0x6010, 0x6030, 0x9000));
        list.add(emptyApplet(cacAid(0x02, 0xFE), 0x02FE));
        list.add(emptyApplet(cacAid(0x02, 0xFD), 0x02FD));
        list.add(emptyApplet(cacAid(0x02, 0x00), 0x0200));
        list.add(emptyApplet(cacAid(0x02, 0x01), 0x0201));

        list.add(new Applet(AID_GP, Applet.Kind.GP, new byte[0][], null, null, null, null, GP_FCI, -1));
        list.add(new Applet(AID_MSFT, Applet.Kind.MSFT, new byte[0][], null, null, null, null, fci(AID_MSFT), -1));

        Applet[] applets = list.toArray(new Applet[0]);
        return new CardLayout(applets, cplc(digest), acrTable(), appletObjectTable(applets), amp(),
                serviceTable(applets));
    }

    static byte[] cacAid(int a, int b) {
        return new byte[] { (byte) 0xA0, 0, 0, 0, 0x79, (byte) a, (byte) b };
    }

    /** FCI answered to SELECT by AID: 6F (L+4) 84 L AID A5 00. */
    static byte[] fci(byte[] aid) {
        return SimpleTlv.concat(new byte[] { 0x6F, (byte) (aid.length + 4), (byte) 0x84, (byte) aid.length }, aid,
                new byte[] { (byte) 0xA5, 0x00 });
    }

    /** 42 buffer properties: SimpleTLV flag (00 = SimpleTLV), T and V buffer sizes (LE, including the prefix). */
    static byte[] bufferProperties(byte[] t, byte[] v) {
        return new byte[] { 0x00, (byte) t.length, (byte) (t.length >>> 8), (byte) v.length,
            (byte) (v.length >>> 8) };
    }

    private static Applet tvApplet(byte[] aid, Applet.Kind kind, byte[][] coids, List<Member> content, int key) {
        byte[] t = SimpleTlv.tagBuffer(content);
        byte[] v = SimpleTlv.valueBuffer(content);
        byte[] object = SimpleTlv.concat(SimpleTlv.tlv(0x41, coids[0]), SimpleTlv.tlv(0x42, bufferProperties(t, v)));
        byte[] props = SimpleTlv.concat(APPLET_INFO, Hex.decode("40 01 01"), SimpleTlv.tlv(0x50, object));
        return new Applet(aid, kind, coids, t, v, props, SimpleTlv.concat(props, LONG_PROPERTIES_SUFFIX), fci(aid),
                key);
    }

    /** An applet whose objects have empty buffers ({@code 00 00}); declared sizes match the real buffers. */
    private static Applet emptyApplet(byte[] aid, int... coidValues) {
        byte[] empty = { 0x00, 0x00 };
        byte[][] coids = new byte[coidValues.length][];
        ByteArrayOutputStream props = new ByteArrayOutputStream();
        props.writeBytes(APPLET_INFO);
        props.writeBytes(new byte[] { 0x40, 0x01, (byte) coidValues.length });
        for (int i = 0; i < coidValues.length; i++) {
            coids[i] = new byte[] { (byte) (coidValues[i] >>> 8), (byte) coidValues[i] };
            byte[] object = SimpleTlv.concat(SimpleTlv.tlv(0x41, coids[i]),
                    SimpleTlv.tlv(0x42, bufferProperties(empty, empty)));
            props.writeBytes(SimpleTlv.tlv(0x50, object));
        }
        byte[] p = props.toByteArray();
        return new Applet(aid, Applet.Kind.EMPTY, coids, empty, empty, p, SimpleTlv.concat(p, LONG_PROPERTIES_SUFFIX),
                fci(aid), -1);
    }

    /** GP CPLC: 9F7F 2A, with IC serial number and batch from the card's digest. */
    private static byte[] cplc(byte[] digest) {
        byte[] c = new byte[45];
        c[0] = (byte) 0x9F;
        c[1] = 0x7F;
        c[2] = 0x2A;
        byte[] fixed = Hex.decode("4090 7867 4091 8124 0300 0000"); // fabricator, type, OS id/date/level, fab date
        System.arraycopy(fixed, 0, c, 3, fixed.length);
        System.arraycopy(digest, 0, c, 15, 6); // IC serial (4) + IC batch (2)
        return c;
    }

    /** GET ACR P1=00: number of ACRs (A1) and one entry (A0) per ACRID: ACRID, type (00 always, 01 PIN). */
    private static byte[] acrTable() {
        int[][] acrs = { { 0x00, 0x00 }, { 0x01, 0x00 }, { 0x02, 0x01 }, { 0x06, 0x01 }, { 0x04, 0x01 },
            { 0x08, 0x01 }, { 0x09, 0x01 }, { 0x0A, 0x01 }, { 0x0B, 0x01 }, { 0x10, 0x01 }, { 0x11, 0x01 } };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ACA_APPLET_INFO);
        out.writeBytes(SimpleTlv.tlv(0xA1, new byte[] { (byte) acrs.length }));
        for (int[] a : acrs) {
            out.writeBytes(SimpleTlv.tlv(0xA0, new byte[] { (byte) a[0], (byte) a[1] }));
        }
        return out.toByteArray();
    }

    /** GET ACR P1=10: applet/object table: per CAC applet, its AID (92) and object IDs (41). */
    private static byte[] appletObjectTable(Applet[] applets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ACA_APPLET_INFO);
        int n = 0;
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        for (Applet a : applets) {
            if (!a.isCac()) {
                continue;
            }
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            e.writeBytes(SimpleTlv.tlv(0x92, a.aid));
            for (byte[] coid : a.coids) {
                e.writeBytes(SimpleTlv.tlv(0x41, coid));
            }
            entries.writeBytes(SimpleTlv.tlv(0x81, e.toByteArray()));
            n++;
        }
        out.writeBytes(SimpleTlv.tlv(0x82, new byte[] { (byte) n }));
        out.writeBytes(entries.toByteArray());
        return out.toByteArray();
    }

    /** GET ACR P1=20: access method provider table: one provider (PIN, reference 00). */
    private static byte[] amp() {
        return SimpleTlv.concat(ACA_APPLET_INFO, SimpleTlv.tlv(0x91, new byte[] { 0x01 }),
                SimpleTlv.tlv(0x90, new byte[] { 0x00, 0x01, 0x00 }));
    }

    /** GET ACR P1=21: service applet table: 94 count, then 93 entries = applet id, 92 AID length, AID. */
    private static byte[] serviceTable(Applet[] applets) {
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        int n = 0;
        for (Applet a : applets) {
            if (!a.isCac()) {
                continue;
            }
            byte[] v = SimpleTlv.concat(new byte[] { (byte) n, (byte) 0x92, (byte) a.aid.length }, a.aid);
            entries.writeBytes(SimpleTlv.tlv(0x93, v));
            n++;
        }
        return SimpleTlv.concat(ACA_APPLET_INFO, SimpleTlv.tlv(0x94, new byte[] { (byte) n }), entries.toByteArray());
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
