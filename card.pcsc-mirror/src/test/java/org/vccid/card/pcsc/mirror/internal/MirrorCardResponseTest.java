package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.Pcsc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.card.CardException;
import org.vccid.iso7816.Hex;

/**
 * What the host's SCardTransmit returns, as MirrorCard passes it on: a response with SW1-SW2 unchanged, anything
 * shorter as a mute card ({@link CardException}). The short case was met for real: vpcd answers SCardTransmit
 * with 0 bytes and success when vicc dies mid-command (MirrorInEngineRealPeerTest step 7). The host side here is a
 * stand-in for libpcsclite at the {@link Pcsc} boundary, so the table runs without pcscd.
 */
class MirrorCardResponseTest {

    /** The PC/SC calls MirrorCard makes, answering transmit with fixed bytes. */
    private static final class FixedResponse implements Pcsc {
        final byte[] response;
        int transmits;

        FixedResponse(byte[] response) {
            this.response = response;
        }

        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public long establishContext() {
            return 1;
        }

        @Override
        public String[] listReaders(long context) {
            return new String[] { "R" };
        }

        @Override
        public int[] getStatusChange(long context, long timeoutMillis, int[] currentStates, String[] readers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long connect(long context, String reader, int shareMode, int preferredProtocols) {
            return 7;
        }

        @Override
        public byte[] status(long card, byte[] stateAndProtocol) {
            stateAndProtocol[1] = SCARD_PROTOCOL_T1;
            return Hex.decode(ViccPeer.VICC_ATR);
        }

        @Override
        public byte[] transmit(long card, int protocol, byte[] buffer, int offset, int length) {
            transmits++;
            return response.clone();
        }

        @Override
        public void disconnect(long card, int disposition) {
        }
    }

    @ParameterizedTest(name = "host answers [{0}] -> {1}")
    @CsvSource({
        "'', mute",
        "90, mute",
        "90 00, 90 00",
        "61 10, 61 10", // ISO 7816-4 §5.1.3: 61xx goes to the caller unchanged (no GET RESPONSE by the mirror)
        "6C 08, 6C 08",
        "01 02 03 90 00, 01 02 03 90 00",
    })
    void responsesShorterThanAStatusWordAreAMuteCard(String host, String expected) throws Exception {
        FixedResponse pcsc = new FixedResponse(Hex.decode(host));
        MirrorCard card = new MirrorCard(pcsc, 1, "R", Pcsc.SCARD_SHARE_SHARED, Pcsc.SCARD_PROTOCOL_T1);
        byte[] apdu = Hex.decode("00 84 00 00 08");
        if (expected.equals("mute")) {
            CardException e = assertThrows(CardException.class, () -> card.transmit(apdu, 0, apdu.length));
            assertTrue(e.getMessage().contains("no status word"), e.getMessage());
        } else {
            assertEquals(expected, Hex.spaced(card.transmit(apdu, 0, apdu.length)));
        }
        assertEquals(1, pcsc.transmits, "one SCardTransmit per command, no retry");
    }
}
