package org.vccid.transport.serial.internal.line;

import java.nio.Buffer;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The few libc calls a pty needs, through JNA direct mapping (Linux only: the constants are Linux's, the same on
 * x86-64 and aarch64). Loaded on first use, so the TCP mode never touches JNA (its import is optional).
 */
final class Posix {

    static final int O_RDWR = 02;
    static final int O_NOCTTY = 0400;
    static final int O_NONBLOCK = 04000;
    static final int O_CLOEXEC = 02000000;
    static final int EFD_NONBLOCK = 04000;
    static final int EFD_CLOEXEC = 02000000;
    static final int TCSANOW = 0;
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    /** sizeof(struct termios) is 60 on Linux (glibc); room to spare. */
    static final int TERMIOS_SIZE = 128;

    static {
        if (!Platform.isLinux()) {
            throw new UnsupportedOperationException("the pty mode needs Linux (this is " + Platform.getOSType()
                    + ")");
        }
        Native.register(Posix.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Posix() {
    }

    /** Loads JNA and binds libc now; throws with the reason when that is not possible here. */
    static void load() {
        // the static initialiser does the work
    }

    static native int posix_openpt(int flags) throws LastErrorException;

    static native int grantpt(int fd) throws LastErrorException;

    static native int unlockpt(int fd) throws LastErrorException;

    static native int ptsname_r(int fd, byte[] buf, long buflen); // returns the error number, no errno

    static native int open(String path, int flags, int mode) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int tcgetattr(int fd, byte[] termios) throws LastErrorException;

    static native void cfmakeraw(byte[] termios);

    static native int tcsetattr(int fd, int optionalActions, byte[] termios) throws LastErrorException;

    static native int eventfd(int initval, int flags) throws LastErrorException;

    /** {@code struct pollfd[]} as a direct buffer: 8 bytes each (int fd, short events, short revents). */
    static native int poll(Buffer fds, long nfds, int timeout) throws LastErrorException;

    static native long read(int fd, Buffer buf, long count) throws LastErrorException;

    static native long write(int fd, Buffer buf, long count) throws LastErrorException;
}
