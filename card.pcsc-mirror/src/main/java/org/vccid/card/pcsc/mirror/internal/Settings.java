package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.Pcsc;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Validated configuration of one mirror (from {@link MirrorConfig}). */
final class Settings {
    final Pattern include;
    final Pattern exclude; // null: none
    final int shareMode;
    final int protocols;
    final long waitMillis;
    final long retryMillis;

    Settings(String include, String exclude, String shareMode, String protocol, long waitMillis, long retryMillis) {
        this.include = compile("readerPattern", include == null || include.isBlank() ? ".*" : include);
        this.exclude = exclude == null || exclude.isBlank() ? null : compile("readerExclude", exclude);
        switch (shareMode == null ? "shared" : shareMode.trim().toLowerCase(Locale.ROOT)) {
            case "shared":
                this.shareMode = Pcsc.SCARD_SHARE_SHARED;
                break;
            case "exclusive":
                this.shareMode = Pcsc.SCARD_SHARE_EXCLUSIVE;
                break;
            default:
                throw new IllegalArgumentException("shareMode must be shared or exclusive, not \"" + shareMode + "\"");
        }
        switch (protocol == null ? "*" : protocol.trim().toUpperCase(Locale.ROOT)) {
            case "*":
                this.protocols = Pcsc.SCARD_PROTOCOL_T0 | Pcsc.SCARD_PROTOCOL_T1;
                break;
            case "T=0":
                this.protocols = Pcsc.SCARD_PROTOCOL_T0;
                break;
            case "T=1":
                this.protocols = Pcsc.SCARD_PROTOCOL_T1;
                break;
            default:
                throw new IllegalArgumentException("protocol must be *, T=0 or T=1, not \"" + protocol + "\"");
        }
        if (waitMillis < 50 || waitMillis > 60_000) {
            throw new IllegalArgumentException("waitMillis must be 50..60000, not " + waitMillis);
        }
        if (retryMillis < 100 || retryMillis > 3_600_000) {
            throw new IllegalArgumentException("retry interval must be 0.1 s..1 h, not " + retryMillis + " ms");
        }
        this.waitMillis = waitMillis;
        this.retryMillis = retryMillis;
    }

    static Settings of(MirrorConfig c) {
        return new Settings(c.readerPattern(), c.readerExclude(), c.shareMode(), c.protocol(), c.waitMillis(),
                c.retrySeconds() * 1000L);
    }

    private static Pattern compile(String what, String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + " is not a valid regular expression: " + e.getMessage(), e);
        }
    }

    /** Whether a host reader of this name is mirrored (whole-name match, exclusion wins). */
    boolean mirrors(String readerName) {
        return include.matcher(readerName).matches()
                && (exclude == null || !exclude.matcher(readerName).matches());
    }
}
