package org.vccid.transport.serial.internal.line;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * For the benchmark: a host on the slave of our pty, as libccid would be but without pcscd (blocking write of a
 * frame, blocking reads until the whole answer came).
 */
public final class PtyBenchHost implements AutoCloseable {

    private final int fd;
    private final ByteBuffer out = ByteBuffer.allocateDirect(4096);
    private final ByteBuffer in = ByteBuffer.allocateDirect(4096);

    public PtyBenchHost(Path link) {
        fd = Posix.open(link.toString(), Posix.O_RDWR | Posix.O_NOCTTY | Posix.O_CLOEXEC, 0);
    }

    /** Write the frame, read exactly answerLength bytes back. */
    public void exchange(byte[] frame, int answerLength) {
        out.put(0, frame);
        if (Posix.write(fd, out, frame.length) != frame.length) {
            throw new IllegalStateException("short write");
        }
        int got = 0;
        while (got < answerLength) {
            long n = Posix.read(fd, in, answerLength - got);
            if (n <= 0) {
                throw new IllegalStateException("line closed");
            }
            got += (int) n;
        }
    }

    @Override
    public void close() {
        Posix.close(fd);
    }
}
