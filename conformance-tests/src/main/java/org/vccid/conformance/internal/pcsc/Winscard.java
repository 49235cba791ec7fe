package org.vccid.conformance.internal.pcsc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;

/**
 * The few PC/SC (pcsc-lite winscard) calls a conformance host needs, through the JDK's own javax.smartcardio
 * native layer ({@code sun.security.smartcardio.PCSC}, which loads libpcsclite, honouring
 * {@code -Dsun.security.smartcardio.library} and, inside libpcsclite, {@code PCSCLITE_CSOCK_NAME}).
 *
 * <p>Why not the public javax.smartcardio API: its {@code CardChannel.transmit} answers 61xx (GET RESPONSE) and
 * 6Cxx (re-issue with Le = xx) itself (switchable with {@code sun.security.smartcardio.t0GetResponse} /
 * {@code t1GetResponse}, but those are JVM-wide and read once), and in any case it drops the Le of a case-4 APDU
 * at T=0, refuses extended APDUs at T=0, rewrites the logical-channel bits of CLA and refuses MANAGE CHANNEL. A
 * conformance host must pass the vector's bytes to SCardTransmit unchanged and give back the card's answer
 * unchanged, so it calls the same natives directly, as card.pcsc-mirror does. That needs
 * {@code --add-opens java.smartcardio/sun.security.smartcardio=ALL-UNNAMED}; without it
 * {@link #unavailableReason()} says so.
 */
public final class Winscard {

    public static final String PACKAGE = "sun.security.smartcardio";
    public static final String ADD_OPENS = "--add-opens java.smartcardio/" + PACKAGE + "=ALL-UNNAMED";

    public static final int SCARD_SCOPE_USER = 0;
    public static final int SCARD_SHARE_EXCLUSIVE = 1;
    public static final int SCARD_SHARE_SHARED = 2;
    public static final int SCARD_PROTOCOL_T0 = 1;
    public static final int SCARD_PROTOCOL_T1 = 2;
    public static final int SCARD_LEAVE_CARD = 0;
    public static final int SCARD_RESET_CARD = 1;
    public static final int SCARD_UNPOWER_CARD = 2;

    public static final int SCARD_STATE_UNAWARE = 0x0000;
    public static final int SCARD_STATE_EMPTY = 0x0010;
    public static final int SCARD_STATE_PRESENT = 0x0020;
    public static final int SCARD_STATE_MUTE = 0x0200;

    static final int SCARD_E_TIMEOUT = 0x8010000A;
    static final int SCARD_E_NO_READERS_AVAILABLE = 0x8010002E;

    /** A failed PC/SC call and its SCARD_* code. */
    public static final class PcscError extends Exception {
        private static final long serialVersionUID = 1L;
        public final int code;

        PcscError(int code, String message, Throwable cause) {
            super(message + (code == 0 ? "" : " (" + name(code) + ")"), cause);
            this.code = code;
        }
    }

    private static final Winscard INSTANCE = new Winscard();

    private final String unavailable;
    private MethodHandle establishContext;
    private MethodHandle listReaders;
    private MethodHandle getStatusChange;
    private MethodHandle connect;
    private MethodHandle status;
    private MethodHandle transmit;
    private MethodHandle disconnect;
    private MethodHandle exceptionCode;
    private Class<?> exceptionClass;

    private Winscard() {
        this.unavailable = init();
    }

    /** The JDK's natives (stateless: the handles are the only state, and they belong to the caller). */
    public static Winscard jdk() {
        return INSTANCE;
    }

    private String init() {
        Module smartcardio = ModuleLayer.boot().findModule("java.smartcardio").orElse(null);
        if (smartcardio == null) {
            return "this JVM has no java.smartcardio module";
        }
        if (!smartcardio.isOpen(PACKAGE, Winscard.class.getModule())) {
            return "the JVM was started without " + ADD_OPENS + " (needed for raw SCardTransmit: APDUs unchanged)";
        }
        try {
            ClassLoader loader = javax.smartcardio.TerminalFactory.class.getClassLoader();
            Class<?> pcsc = Class.forName(PACKAGE + ".PCSC", true, loader);
            exceptionClass = Class.forName(PACKAGE + ".PCSCException", true, loader);
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(pcsc, MethodHandles.lookup());
            try {
                lookup.findStatic(pcsc, "checkAvailable", MethodType.methodType(void.class)).invoke();
            } catch (Throwable t) {
                Throwable cause = t.getCause() != null ? t.getCause() : t;
                return "libpcsclite could not be loaded: " + cause.getMessage()
                        + " (set -Dsun.security.smartcardio.library=/usr/lib/x86_64-linux-gnu/libpcsclite.so.1)";
            }
            establishContext = lookup.findStatic(pcsc, "SCardEstablishContext",
                    MethodType.methodType(long.class, int.class));
            listReaders = lookup.findStatic(pcsc, "SCardListReaders", MethodType.methodType(String[].class, long.class));
            getStatusChange = lookup.findStatic(pcsc, "SCardGetStatusChange",
                    MethodType.methodType(int[].class, long.class, long.class, int[].class, String[].class));
            connect = lookup.findStatic(pcsc, "SCardConnect",
                    MethodType.methodType(long.class, long.class, String.class, int.class, int.class));
            status = lookup.findStatic(pcsc, "SCardStatus", MethodType.methodType(byte[].class, long.class, byte[].class));
            transmit = lookup.findStatic(pcsc, "SCardTransmit",
                    MethodType.methodType(byte[].class, long.class, int.class, byte[].class, int.class, int.class));
            disconnect = lookup.findStatic(pcsc, "SCardDisconnect",
                    MethodType.methodType(void.class, long.class, int.class));
            exceptionCode = MethodHandles.privateLookupIn(exceptionClass, MethodHandles.lookup())
                    .findGetter(exceptionClass, "code", int.class);
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "this JDK's javax.smartcardio internals are not as expected: " + e;
        }
    }

    /** Why PC/SC cannot be used from this JVM, or {@code null}. */
    public String unavailableReason() {
        return unavailable;
    }

    private void check() throws PcscError {
        if (unavailable != null) {
            throw new PcscError(0, unavailable, null);
        }
    }

    private PcscError translate(String call, Throwable t) {
        if (exceptionClass != null && exceptionClass.isInstance(t)) {
            int code;
            try {
                code = (int) exceptionCode.invoke(t);
            } catch (Throwable e) {
                code = 0x80100001;
            }
            return new PcscError(code, call + " failed", null);
        }
        if (t instanceof Error && !(t instanceof LinkageError)) {
            throw (Error) t;
        }
        return new PcscError(0x80100001, call + " failed: " + t, t);
    }

    public long establishContext() throws PcscError {
        check();
        try {
            return (long) establishContext.invokeExact(SCARD_SCOPE_USER);
        } catch (Throwable t) {
            throw translate("SCardEstablishContext", t);
        }
    }

    /** Reader names; empty when there are none. */
    public String[] listReaders(long context) throws PcscError {
        check();
        try {
            String[] names = (String[]) listReaders.invokeExact(context);
            return names == null ? new String[0] : names;
        } catch (Throwable t) {
            PcscError e = translate("SCardListReaders", t);
            if (e.code == SCARD_E_NO_READERS_AVAILABLE) {
                return new String[0];
            }
            throw e;
        }
    }

    /** The reader's current event state (SCardGetStatusChange from SCARD_STATE_UNAWARE: returns at once). */
    public int state(long context, String reader) throws PcscError {
        check();
        try {
            int[] r = (int[]) getStatusChange.invokeExact(context, 0L, new int[] {SCARD_STATE_UNAWARE},
                    new String[] {reader});
            return r[0];
        } catch (Throwable t) {
            throw translate("SCardGetStatusChange(" + reader + ")", t);
        }
    }

    public long connect(long context, String reader, int shareMode, int protocols) throws PcscError {
        check();
        try {
            return (long) connect.invokeExact(context, reader, shareMode, protocols);
        } catch (Throwable t) {
            throw translate("SCardConnect(" + reader + ")", t);
        }
    }

    /**
     * SCardStatus.
     *
     * @param stateAndProtocol out: [0] reader state (low byte), [1] the active protocol
     * @return the ATR
     */
    public byte[] status(long card, byte[] stateAndProtocol) throws PcscError {
        check();
        try {
            return (byte[]) status.invokeExact(card, stateAndProtocol);
        } catch (Throwable t) {
            throw translate("SCardStatus", t);
        }
    }

    /** SCardTransmit of exactly these bytes; the answer as the reader returned it (8 KiB at most: the JDK's buffer). */
    public byte[] transmit(long card, int protocol, byte[] apdu) throws PcscError {
        check();
        try {
            return (byte[]) transmit.invokeExact(card, protocol, apdu, 0, apdu.length);
        } catch (Throwable t) {
            throw translate("SCardTransmit", t);
        }
    }

    public void disconnect(long card, int disposition) throws PcscError {
        check();
        try {
            disconnect.invokeExact(card, disposition);
        } catch (Throwable t) {
            throw translate("SCardDisconnect", t);
        }
    }

    static String name(int code) {
        switch (code) {
        case 0x80100001: return "SCARD_F_INTERNAL_ERROR";
        case 0x80100003: return "SCARD_E_INVALID_HANDLE";
        case 0x80100004: return "SCARD_E_INVALID_PARAMETER";
        case 0x80100008: return "SCARD_E_INSUFFICIENT_BUFFER";
        case 0x80100009: return "SCARD_E_UNKNOWN_READER";
        case SCARD_E_TIMEOUT: return "SCARD_E_TIMEOUT";
        case 0x8010000B: return "SCARD_E_SHARING_VIOLATION";
        case 0x8010000C: return "SCARD_E_NO_SMARTCARD";
        case 0x8010000F: return "SCARD_E_PROTO_MISMATCH";
        case 0x80100010: return "SCARD_E_NOT_READY";
        case 0x80100013: return "SCARD_F_COMM_ERROR";
        case 0x80100016: return "SCARD_E_NOT_TRANSACTED";
        case 0x80100017: return "SCARD_E_READER_UNAVAILABLE";
        case 0x8010001D: return "SCARD_E_NO_SERVICE";
        case 0x8010001E: return "SCARD_E_SERVICE_STOPPED";
        case SCARD_E_NO_READERS_AVAILABLE: return "SCARD_E_NO_READERS_AVAILABLE";
        case 0x80100066: return "SCARD_W_UNRESPONSIVE_CARD";
        case 0x80100067: return "SCARD_W_UNPOWERED_CARD";
        case 0x80100068: return "SCARD_W_RESET_CARD";
        case 0x80100069: return "SCARD_W_REMOVED_CARD";
        default: return String.format(Locale.ROOT, "0x%08X", code);
        }
    }
}
