package org.vccid.transport.vsc.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.iso7816.Hex;

/**
 * QEMU 7.2 answers to these ATRs were measured on this machine (the same table runs against QEMU in
 * QemuPassthruTest when QEMU is installed).
 */
class PassthruAtrTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "3B888001766363696456534334, true",   // T=1 with TCK ('atr too long' in QEMU's log, let through)
        "3B8880017663636964565343, true",     // the same without TCK: QEMU does not check it
        "3B88800176636369, false",            // historical bytes cut
        "3B0A, false",                        // 10 historical bytes announced, none there
        "3B02, false",
        "3B02AABB, true",
        "3B00, true",
        "3F00, true",
        "3C00, false",                        // TS neither 3B nor 3F
        "3B, false",
        "'', false",
        "3B8180, true",
        "3B818001, true",
        "3BD518FF8091FE1FC38073C8211308, true", // QEMU's default (Athena) ATR
        "3B7A18000073667465206364313434, true", // CAC ATR as QEMU shows it
        "3B1196, true",                       // TA1 announced, 1 historical, 3 bytes: QEMU's walk stops early
        "3B11968001, true",
        "3B11, false",
        "3B1F96, false",                      // 15 historical announced
        "3B70112233, true",                   // TA1 TB1 TC1
        "3B7011223344, false",                // one byte more and QEMU counts TA1..TC1 twice: refused
    })
    void predictsQemu(String hex, boolean accepted) {
        byte[] atr = Hex.decode(hex.replace(" ", ""));
        assertEquals(accepted, PassthruAtr.accepts(atr), () -> String.valueOf(PassthruAtr.problem(atr)));
    }

    @org.junit.jupiter.api.Test
    void longerThanFortyIsRefused() {
        byte[] atr = new byte[41];
        atr[0] = 0x3B;
        assertEquals(false, PassthruAtr.accepts(atr));
        byte[] forty = new byte[40];
        forty[0] = 0x3B;
        assertEquals(true, PassthruAtr.accepts(forty));
    }
}
