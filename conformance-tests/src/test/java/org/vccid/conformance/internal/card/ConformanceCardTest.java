package org.vccid.conformance.internal.card;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.vccid.iso7816.Atr;
import org.vccid.iso7816.Hex;

class ConformanceCardTest {

    private final ConformanceCard card = new ConformanceCard();

    private byte[] tx(String apdu) {
        byte[] b = Hex.decode(apdu);
        return card.transmit(b, 0, b.length);
    }

    @Test
    void atrOffersT0AndT1WithACorrectTck() {
        assertArrayEquals(Hex.decode("3B 85 80 01 76 63 63 69 64 7F"), card.powerOn());
        Atr atr = Atr.parse(card.atr());
        assertTrue(atr.offers(0) && atr.offers(1));
        assertEquals(0, atr.defaultProtocol());
        assertTrue(card.isPowered());
        card.powerOff();
        assertFalse(card.isPowered());
        assertFalse(card.isNonBlocking(), "SLOW sleeps: the reader must call the card on a worker");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "00A4040006F07663636964, 9000",
            "00A4040003A00000, 6A82",
            "00A4000006F07663636964, 6A86",
            "80EE0000030102 0300, 0102039000",
            "80EE0000000003010203, 0102039000",
            "80B0000300, 0001029000",
            "80B00003, 0001029000",
            "805A6283, 6283",
            "805E0001, 9000",
            "80EE000005 0102, 6700",
            "80EE, 6700",
            "807F0000, 6D00",
            "00CA0000, 6D00",
            "10A40400, 6E00",
            "0084000008 01, 6700" })
    void commands(String apdu, String response) {
        assertEquals(response, Hex.encode(tx(apdu)));
    }

    @Test
    void challengeIsRandomWithTheRequestedLength() {
        byte[] a = tx("0084000008");
        byte[] b = tx("0084000008");
        assertEquals(10, a.length);
        assertEquals("9000", Hex.encode(a, 8, 2));
        assertFalse(Arrays.equals(a, b), "two challenges differ");
        assertEquals(258, tx("0084000000").length, "Le 00 = 256");
    }
}
