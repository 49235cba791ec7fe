package org.vccid.transport.vsc.session;

import java.util.ArrayList;
import java.util.List;

import org.vccid.transport.vsc.protocol.VscMessage;

/** Outputs that record every call, for the session tests. */
final class RecordingOutputs {

    private RecordingOutputs() {
    }

    static final class Card implements CardSideSession.Output {
        final List<VscMessage> sent = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        String closed;

        @Override
        public void send(VscMessage message) {
            sent.add(message);
        }

        @Override
        public void transmit(int readerId, byte[] apdu) {
            calls.add("transmit " + readerId + " " + org.vccid.iso7816.Hex.encode(apdu));
        }

        @Override
        public void flush(int readerId) {
            calls.add("flush " + readerId);
        }

        @Override
        public void close(String reason) {
            closed = reason;
        }

        @Override
        public void log(System.Logger.Level level, String message) {
        }

        VscMessage last() {
            return sent.get(sent.size() - 1);
        }
    }

    static final class Reader implements ReaderSideSession.Output {
        final List<VscMessage> sent = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        String closed;

        @Override
        public void send(VscMessage message) {
            sent.add(message);
        }

        @Override
        public void readerAdded(int readerId, String name) {
            events.add("readerAdded " + readerId + " " + name);
        }

        @Override
        public void cardInserted(int readerId, byte[] atr) {
            events.add("cardInserted " + readerId + " " + org.vccid.iso7816.Hex.encode(atr));
        }

        @Override
        public void cardRemoved(int readerId) {
            events.add("cardRemoved " + readerId);
        }

        @Override
        public void readerRemoved(int readerId) {
            events.add("readerRemoved " + readerId);
        }

        @Override
        public void apduAnswered(int readerId, byte[] response) {
            events.add("apduAnswered " + readerId + " " + org.vccid.iso7816.Hex.encode(response));
        }

        @Override
        public void apduFailed(int readerId, String why) {
            events.add("apduFailed " + readerId);
        }

        @Override
        public void close(String reason) {
            closed = reason;
        }

        @Override
        public void log(System.Logger.Level level, String message) {
        }

        VscMessage last() {
            return sent.get(sent.size() - 1);
        }
    }
}
