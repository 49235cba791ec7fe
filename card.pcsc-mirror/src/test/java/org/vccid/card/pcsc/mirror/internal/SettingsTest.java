package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.Pcsc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsTest {

    @Test
    void defaultsMirrorEveryReaderSharedWithEitherProtocol() {
        Settings s = new Settings(".*", "", "shared", "*", 1000, 5000);
        assertTrue(s.mirrors("Virtual PCD 00 00"));
        assertTrue(s.mirrors("Gemalto PC Twin Reader (F1A2B3C4) 00 00"));
        assertEquals(Pcsc.SCARD_SHARE_SHARED, s.shareMode);
        assertEquals(Pcsc.SCARD_PROTOCOL_T0 | Pcsc.SCARD_PROTOCOL_T1, s.protocols);
        Settings blank = new Settings(null, null, null, null, 1000, 5000);
        assertTrue(blank.mirrors("anything"), "no pattern = all readers");
        assertEquals(Pcsc.SCARD_SHARE_SHARED, blank.shareMode);
    }

    @Test
    void patternMatchesTheWholeNameAndExclusionWins() {
        Settings s = new Settings("Virtual PCD .*", ".* 01", "exclusive", "T=1", 1000, 5000);
        assertTrue(s.mirrors("Virtual PCD 00 00"));
        assertFalse(s.mirrors("Virtual PCD 00 01"), "excluded");
        assertFalse(s.mirrors("My Virtual PCD 00 00"), "whole-name match, not find()");
        assertEquals(Pcsc.SCARD_SHARE_EXCLUSIVE, s.shareMode);
        assertEquals(Pcsc.SCARD_PROTOCOL_T1, s.protocols);
        assertEquals(Pcsc.SCARD_PROTOCOL_T0, new Settings(".*", "", "Shared", "t=0", 1000, 5000).protocols);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad include regex      | [unclosed | ''     | shared    | *   | 1000  | 5000 | readerPattern",
        "bad exclude regex      | .*        | (      | shared    | *   | 1000  | 5000 | readerExclude",
        "unknown share mode     | .*        | ''     | direct    | *   | 1000  | 5000 | shareMode",
        "unknown protocol       | .*        | ''     | shared    | T=2 | 1000  | 5000 | protocol",
        "wait too short (spin)  | .*        | ''     | shared    | *   | 0     | 5000 | waitMillis",
        "wait too long          | .*        | ''     | shared    | *   | 60001 | 5000 | waitMillis",
        "retry too fast (spin)  | .*        | ''     | shared    | *   | 1000  | 10   | retry",
        "negative retry         | .*        | ''     | shared    | *   | 1000  | -1   | retry",
    })
    void badConfigurationIsRefusedWithItsName(String what, String include, String exclude, String share,
            String protocol, long wait, long retry, String named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Settings(include, exclude, share, protocol, wait, retry));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}
