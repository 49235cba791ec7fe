package org.vccid.transport.serial.internal.line;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.vccid.transport.CcidDevice;

/** The line as one TCP connection from socat (or the line script): NIO, woken through its selector. */
final class TcpConnection extends Connection {

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ByteBuffer in = ByteBuffer.allocate(4096);

    TcpConnection(SocketChannel channel, LineSettings settings, Supplier<CcidDevice> devices,
            Consumer<Connection> onClose) throws IOException {
        super("serial " + settings.type + " :" + channel.socket().getLocalPort() + " <- :"
                + channel.socket().getPort(), settings, devices, onClose);
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, SelectionKey.OP_READ);
    }

    @Override
    int awaitAndRead(byte[] buf, long timeoutMillis) throws IOException {
        selector.select(timeoutMillis);
        selector.selectedKeys().clear();
        if (closed || !key.isValid() || !key.isReadable()) {
            return 0;
        }
        in.clear();
        in.limit(Math.min(in.capacity(), buf.length));
        int n = channel.read(in);
        if (n > 0) {
            System.arraycopy(in.array(), 0, buf, 0, n);
        }
        return n;
    }

    @Override
    void writeSome(ByteBuffer[] batch) throws IOException {
        channel.write(batch);
    }

    @Override
    void wantWrite(boolean on) {
        key.interestOps(on ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    @Override
    void wakeup() {
        selector.wakeup();
    }

    @Override
    void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    void ioEnded() {
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    boolean closeOnOverflow() {
        return true;
    }
}
