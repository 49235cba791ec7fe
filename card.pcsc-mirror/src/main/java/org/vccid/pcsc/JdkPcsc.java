package org.vccid.pcsc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * PC/SC through the JDK's own javax.smartcardio native layer ({@code sun.security.smartcardio.PCSC}, which loads
 * libpcsclite, honouring {@code sun.security.smartcardio.library}).
 *
 * <p>Why not only the public javax.smartcardio API: it keeps one static PC/SC context per JVM and never
 * re-establishes it (after a pcscd restart every call fails until the JVM exits), it connects shared only, it
 * rewrites the logical-channel bits of CLA and refuses MANAGE CHANNEL on the basic channel, and it answers
 * 61xx/6Cxx itself. card.pcsc-mirror and the conformance runner's PC/SC targets need their own context and APDUs passed
 * unchanged, so they call the same natives directly. That needs {@code --add-opens java.smartcardio/sun.security.smartcardio=ALL-UNNAMED} on the JVM
 * command line; without it {@link #unavailableReason()} says so.
 */
public final class JdkPcsc implements Pcsc {

    public static final String PACKAGE = "sun.security.smartcardio";
    public static final String ADD_OPENS = "--add-opens java.smartcardio/" + PACKAGE + "=ALL-UNNAMED";

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

    public JdkPcsc() {
        this.unavailable = init();
    }

    private String init() {
        Module smartcardio = ModuleLayer.boot().findModule("java.smartcardio").orElse(null);
        if (smartcardio == null) {
            return "this JVM has no java.smartcardio module";
        }
        if (!smartcardio.isOpen(PACKAGE, JdkPcsc.class.getModule())) {
            return "the JVM was started without " + ADD_OPENS
                    + " (vccid calls PC/SC with a context of its own and raw SCardTransmit)";
        }
        try {
            ClassLoader loader = javax.smartcardio.TerminalFactory.class.getClassLoader();
            Class<?> pcsc = Class.forName(PACKAGE + ".PCSC", true, loader);
            exceptionClass = Class.forName(PACKAGE + ".PCSCException", true, loader);
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(pcsc, MethodHandles.lookup());
            MethodHandle check = lookup.findStatic(pcsc, "checkAvailable", MethodType.methodType(void.class));
            try {
                check.invoke();
            } catch (Throwable t) {
                Throwable cause = t.getCause() != null ? t.getCause() : t;
                return "the PC/SC library (libpcsclite.so.1) could not be loaded: " + cause.getMessage()
                        + " (install libpcsclite1, or set -Dsun.security.smartcardio.library=/path/to/libpcsclite.so.1)";
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
            MethodHandles.Lookup exLookup = MethodHandles.privateLookupIn(exceptionClass, MethodHandles.lookup());
            exceptionCode = exLookup.findGetter(exceptionClass, "code", int.class);
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "this JDK's javax.smartcardio internals are not as expected: " + e;
        }
    }

    @Override
    public String unavailableReason() {
        return unavailable;
    }

    private void checkUsable() throws PcscException {
        if (unavailable != null) {
            throw new PcscException(PcscException.UNAVAILABLE, unavailable, null);
        }
    }

    private PcscException translate(String call, Throwable t) {
        if (exceptionClass.isInstance(t)) {
            int code;
            try {
                code = (int) exceptionCode.invoke(t);
            } catch (Throwable e) {
                code = PcscException.SCARD_F_INTERNAL_ERROR;
            }
            return new PcscException(code, call + " failed", null);
        }
        if (t instanceof Error && !(t instanceof LinkageError)) {
            throw (Error) t;
        }
        return new PcscException(PcscException.SCARD_F_INTERNAL_ERROR, call + " failed: " + t, t);
    }

    @Override
    public long establishContext() throws PcscException {
        checkUsable();
        try {
            return (long) establishContext.invokeExact(SCARD_SCOPE_USER);
        } catch (Throwable t) {
            throw translate("SCardEstablishContext", t);
        }
    }

    @Override
    public String[] listReaders(long context) throws PcscException {
        checkUsable();
        try {
            String[] names = (String[]) listReaders.invokeExact(context);
            return names == null ? new String[0] : names;
        } catch (Throwable t) {
            PcscException e = translate("SCardListReaders", t);
            if (e.code == PcscException.SCARD_E_NO_READERS_AVAILABLE) {
                return new String[0];
            }
            throw e;
        }
    }

    @Override
    public int[] getStatusChange(long context, long timeoutMillis, int[] currentStates, String[] readers)
            throws PcscException {
        checkUsable();
        try {
            return (int[]) getStatusChange.invokeExact(context, timeoutMillis, currentStates, readers);
        } catch (Throwable t) {
            PcscException e = translate("SCardGetStatusChange", t);
            if (e.code == PcscException.SCARD_E_TIMEOUT) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public long connect(long context, String reader, int shareMode, int preferredProtocols) throws PcscException {
        checkUsable();
        try {
            return (long) connect.invokeExact(context, reader, shareMode, preferredProtocols);
        } catch (Throwable t) {
            throw translate("SCardConnect", t);
        }
    }

    @Override
    public byte[] status(long card, byte[] stateAndProtocol) throws PcscException {
        checkUsable();
        try {
            return (byte[]) status.invokeExact(card, stateAndProtocol);
        } catch (Throwable t) {
            throw translate("SCardStatus", t);
        }
    }

    @Override
    public byte[] transmit(long card, int protocol, byte[] buffer, int offset, int length) throws PcscException {
        try {
            return (byte[]) transmit.invokeExact(card, protocol, buffer, offset, length);
        } catch (Throwable t) {
            if (transmit == null) {
                checkUsable();
            }
            throw translate("SCardTransmit", t);
        }
    }

    @Override
    public void disconnect(long card, int disposition) throws PcscException {
        checkUsable();
        try {
            disconnect.invokeExact(card, disposition);
        } catch (Throwable t) {
            throw translate("SCardDisconnect", t);
        }
    }
}
