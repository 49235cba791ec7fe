package org.vccid.card.cac.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vccid.iso7816.Hex;

/** The card's applet set for 1..10 PKI applets (pure; the certificates here are stand-in bytes). */
class CardLayoutTest {

    static List<byte[]> certs(int n) {
        List<byte[]> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] c = new byte[300 + i];
            Arrays.fill(c, (byte) i);
            l.add(c);
        }
        return l;
    }

    @Test
    void tenPkiAppletsAtMost() {
        int[] bits = new int[10];
        Arrays.fill(bits, 2048);
        CardLayout l = CardLayout.build(certs(10), bits);
        long pki = Arrays.stream(l.applets).filter(a -> a.kind == Applet.Kind.PKI).count();
        assertEquals(10, pki);
        assertEquals("A0 00 00 00 79 01 09", Hex.spaced(l.applets[2 + 9].aid));
        assertThrows(IllegalArgumentException.class, () -> CardLayout.build(certs(11), new int[11]));
        assertThrows(IllegalArgumentException.class, () -> CardLayout.build(certs(0), new int[0]));
    }

    @Test
    void everyAppletHasAUniqueAidAndCacAppletsHaveProperties() {
        CardLayout l = CardLayout.build(certs(3), new int[] { 2048, 2048, 1024 });
        for (int i = 0; i < l.applets.length; i++) {
            for (int j = i + 1; j < l.applets.length; j++) {
                assertEquals(false, Arrays.equals(l.applets[i].aid, l.applets[j].aid));
            }
            if (l.applets[i].isCac()) {
                assertEquals(0x01, l.applets[i].properties[0]);
            }
        }
        // PKI 2 has a 1024-bit key: 43 04 06 10 01 01
        byte[] p = l.applets[4].properties;
        assertEquals("43 04 06 10 01 01", Hex.spaced(p, p.length - 6, 6));
        // the service applet table lists every CAC applet
        assertEquals(0x94, l.serviceTable[7] & 0xFF);
        assertEquals(Arrays.stream(l.applets).filter(Applet::isCac).count(), l.serviceTable[9]);
    }
}
