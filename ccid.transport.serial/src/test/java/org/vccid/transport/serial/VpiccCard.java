package org.vccid.transport.serial;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;

import org.vccid.card.Card;

/**
 * For the benchmark's side-by-side figure only: a card on vsmartcard's vpcd wire protocol (2-byte big-endian length
 * + payload; a 1-byte payload is a control code, 04 = get ATR), answering at once from a {@link Card}.
 */
final class VpiccCard implements AutoCloseable {

    private final Socket socket;
    private final Thread thread;

    VpiccCard(int port, Card card) throws IOException, InterruptedException {
        Socket s = null;
        for (int i = 0; i < 100 && s == null; i++) {
            try {
                s = new Socket("127.0.0.1", port);
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        if (s == null) {
            throw new IOException("vpcd does not listen on " + port);
        }
        s.setTcpNoDelay(true);
        socket = s;
        thread = new Thread(() -> serve(card), "vpicc");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve(Card card) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()))) {
            byte[] buf = new byte[65536];
            while (true) {
                // vpcd sends length and APDU in two segments without TCP_NODELAY: ACK at once, or Nagle on its
                // side waits for our delayed ACK (40 ms per APDU)
                socket.setOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK, true);
                int n = in.readUnsignedShort();
                in.readFully(buf, 0, n);
                byte[] answer;
                if (n == 1) {
                    if (buf[0] != 4) {
                        continue; // power off / on / reset: no answer
                    }
                    answer = card.atr();
                } else {
                    answer = card.transmit(buf, 0, n);
                }
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            }
        } catch (Exception e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
