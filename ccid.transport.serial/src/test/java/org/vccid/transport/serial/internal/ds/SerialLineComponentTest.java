package org.vccid.transport.serial.internal.ds;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.osgi.framework.FrameworkUtil;

/** Which CcidDevice services a serial line configuration selects. */
class SerialLineComponentTest {

    @Test
    void filterCombinesNameAndExtraFilter() throws Exception {
        assertEquals("(&(objectClass=org.vccid.transport.CcidDevice))", SerialLineComponent.filter("", ""));
        assertEquals("(&(objectClass=org.vccid.transport.CcidDevice)(vccid.reader.name=My \\(odd\\) reader\\*))",
                SerialLineComponent.filter(" My (odd) reader* ", null));
        assertEquals("(&(objectClass=org.vccid.transport.CcidDevice)(vccid.reader.name=A)(vccid.reader.level=TPDU))",
                SerialLineComponent.filter("A", "(vccid.reader.level=TPDU)"));
        // what the framework will parse
        assertTrue(FrameworkUtil.createFilter(SerialLineComponent.filter("x(y)", "(a=b)")).toString()
                .contains("x\\(y\\)"));
    }
}
