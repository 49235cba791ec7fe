package org.vccid.ccid.it;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.ops4j.pax.exam.Option;

/**
 * What every Pax Exam test of the project provisions (shared through ccid.core's test-jar): the DS and
 * configuration bundles ccid.core needs, and the test card as a bundle.
 */
public final class Provisioning {

    private Provisioning() {
    }

    /**
     * SCR with the DS API it does not export (toolchain.md P6), promise and function, ConfigAdmin, Metatype.
     * Versions come from the calling module's pom (depends-maven-plugin).
     */
    public static Option services() {
        return composite(
                mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.metatype").versionAsInProject());
    }

    /**
     * ccid.core's test card (test scope, never shipped) as a bundle built from the class path: one Card service,
     * {@code vccid.card.type=test}, while the bundle is started.
     */
    public static Option testCard() throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "vccid.testcard");
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", "org.vccid.testcard.TestCardActivator");
        a.putValue("Import-Package", "org.osgi.framework, org.vccid.card, org.vccid.iso7816");
        Path jar = Files.createTempFile("vccid-testcard", ".jar");
        jar.toFile().deleteOnExit();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            for (String c : List.of("TestCard.class", "TestCardActivator.class")) {
                try (InputStream in = Provisioning.class.getClassLoader()
                        .getResourceAsStream("org/vccid/testcard/" + c)) {
                    if (in == null) {
                        throw new IOException("org/vccid/testcard/" + c + " is not on the class path"
                                + " (ccid.core's test classes or test-jar)");
                    }
                    out.putNextEntry(new JarEntry("org/vccid/testcard/" + c));
                    out.write(in.readAllBytes());
                    out.closeEntry();
                }
            }
        }
        return bundle(jar.toUri().toString());
    }
}
