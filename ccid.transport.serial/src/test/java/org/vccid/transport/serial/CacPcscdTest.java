package org.vccid.transport.serial;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.vccid.card.cac.internal.CacCard;
import org.vccid.testkit.Proc;
import org.vccid.transport.serial.framing.ReaderType;

/**
 * Real peer: the CAC card (card.cac) in our serial reader, driven by OpenSC's PKCS#11 module through pcscd and
 * libccidtwin.so (T=0 at TPDU level: every 61xx / 6Cxx is handled by OpenSC and libccid, every byte crosses the
 * GemPC Twin line).
 */
class CacPcscdTest {

    @BeforeAll
    static void peers() {
        Rig.assumePeers();
    }

    @ParameterizedTest
    @EnumSource(names = { "LINE_SCRIPT", "OWN_PTY" })
    void pkcs11SelfTestThroughTheSerialLine(Rig.Mode mode, @TempDir Path dir) throws Exception {
        CacCard card = CacCard.open(new CacCard.Settings("serial", dir.resolve("card"), null, new char[0],
                "12345678", 3, 3, CacCard.ATR_VCARD), System.out::println);
        Path conf = dir.resolve("opensc.conf");
        // no file caching: serial numbers and ATRs repeat between runs
        Files.writeString(conf, "app default {\n framework pkcs15 {\n  use_file_caching = false;\n }\n}\n");
        String name = "cac-" + mode.name().toLowerCase();
        try (Rig rig = new Rig(name, ReaderType.GemPCTwin, 1, 37470, mode)) {
            rig.engine.slot(0).insert(card);
            rig.up(name);
            Map<String, String> env = new HashMap<>(rig.pcscd.env());
            env.put("OPENSC_CONF", conf.toString());

            Proc.Result l = Proc.run(Duration.ofSeconds(60), env, List.of("pkcs11-tool", "-L"));
            assertTrue(l.output.contains("token manufacturer : Common Access Card"), l.toString());
            Proc.Result t = Proc.run(Duration.ofSeconds(180), env,
                    List.of("pkcs11-tool", "--login", "--pin", "12345678", "--test"));
            System.out.println(t.output);
            // pkcs11-tool exits 0 even with failures: read its summary
            assertTrue(t.output.contains("No errors"), t + "\n" + Rig.driverLines(rig.pcscd.log()));
            assertEquals(0, rig.server.line().lrcErrors.get() + rig.server.line().junkBytes.get()
                    + rig.server.line().truncated.get(), "framing errors on the line");
        }
    }
}
