package org.vccid.transport.vsc.protocol;

import org.osgi.annotation.versioning.ProviderType;

/** A parsed VSC_Init payload: magic, version, capability words (VSCMsgInit). */
@ProviderType
public final class VscInit {

    private final int magic;
    private final int version;
    private final int[] capabilities;

    private VscInit(int magic, int version, int[] capabilities) {
        this.magic = magic;
        this.version = version;
        this.capabilities = capabilities;
    }

    /**
     * Parse a VSC_Init payload.
     *
     * @throws VscProtocolException when the payload is shorter than magic + version or not whole 32-bit words
     */
    public static VscInit parse(byte[] payload) throws VscProtocolException {
        if (payload.length < 8 || payload.length % 4 != 0) {
            throw new VscProtocolException("VSC_Init payload of " + payload.length
                    + " bytes: need magic, version and whole 32-bit capability words");
        }
        int[] caps = new int[(payload.length - 8) / 4];
        for (int i = 0; i < caps.length; i++) {
            caps[i] = VscMessage.getInt(payload, 8 + 4 * i);
        }
        return new VscInit(VscMessage.getInt(payload, 0), VscMessage.getInt(payload, 4), caps);
    }

    public int magic() {
        return magic;
    }

    public int version() {
        return version;
    }

    public int[] capabilities() {
        return capabilities.clone();
    }

    /** Magic is "VSCD" and the major version is ours (0). */
    public boolean isCompatible() {
        return magic == Vsc.MAGIC && Vsc.versionMajor(version) == Vsc.versionMajor(Vsc.VERSION);
    }

    /** Why {@link #isCompatible()} is false, or null. */
    public String problem() {
        if (magic != Vsc.MAGIC) {
            return String.format("wrong magic 0x%08X (expected \"VSCD\" 0x%08X)", magic, Vsc.MAGIC);
        }
        if (Vsc.versionMajor(version) != Vsc.versionMajor(Vsc.VERSION)) {
            return String.format("incompatible version 0x%08X (major %d, ours %d)", version, Vsc.versionMajor(version),
                    Vsc.versionMajor(Vsc.VERSION));
        }
        return null;
    }
}
