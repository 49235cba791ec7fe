package org.vccid.conformance.it;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;
import org.vccid.ccid.it.Provisioning;

/** What every in-framework test of this module provisions, and the project's bundles by their failsafe properties. */
final class Framework {

    private Framework() {
    }

    /** SCR, ConfigAdmin, Metatype (ccid.core's Provisioning), the log and the Gogo runtime, quiet Pax logging, JUnit. */
    static Option services() {
        return composite(
                Provisioning.services(),
                mavenBundle("org.apache.felix", "org.apache.felix.log").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject(),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                junitBundles());
    }

    /** The bundle whose file the failsafe system property names ({@code core.bundle.file}, ...). */
    static UrlProvisionOption bundleFile(String property) {
        return bundle(new File(System.getProperty(property)).toURI().toString());
    }

    /** This JVM's value of a system property, passed into the framework's JVM. */
    static Option passed(String property) {
        return systemProperty(property).value(System.getProperty(property));
    }
}
