package org.vccid.conformance.internal.osgi;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** What a target that rides on an optional transport bundle checks before it configures anything. */
public final class Bundles {

    private Bundles() {
    }

    /**
     * Fails with a message saying what to install when the bundle with this symbolic name is not active.
     *
     * @param target the target's name, for the message
     * @param pid the transport's configuration PID, for the message
     */
    public static void requireActive(BundleContext context, String symbolicName, String target, String pid) {
        Bundle found = null;
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && (found == null || b.getState() == Bundle.ACTIVE)) {
                found = b;
            }
        }
        if (found == null) {
            throw new IllegalStateException("the " + target + " target needs the bundle " + symbolicName
                    + " (configuration PID " + pid + "), which is not installed in this framework");
        }
        if (found.getState() != Bundle.ACTIVE) {
            throw new IllegalStateException("the " + target + " target needs the bundle " + symbolicName + " active;"
                    + " it is " + state(found.getState()) + " (bundle " + found.getBundleId() + ")");
        }
    }

    /**
     * Fail unless this bundle's optional import of the package holding {@code className} is wired.
     *
     * @param owner a class of this bundle (its class loader is asked)
     * @param className a class of the optionally imported package
     * @param symbolicName the bundle that exports the package
     * @param target the target's name, for the message
     */
    public static void requireImport(Class<?> owner, String className, String symbolicName, String target) {
        try {
            Class.forName(className, false, owner.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            String pkg = className.substring(0, className.lastIndexOf('.'));
            throw new IllegalStateException("the " + target + " target needs the package " + pkg + " (bundle "
                    + symbolicName + "), which this bundle's optional import did not wire: the " + symbolicName
                    + " bundle came after this one; refresh this bundle", e);
        }
    }

    static String state(int s) {
        switch (s) {
        case Bundle.INSTALLED:
            return "INSTALLED (not resolved)";
        case Bundle.RESOLVED:
            return "RESOLVED (not started)";
        case Bundle.STARTING:
            return "STARTING";
        case Bundle.STOPPING:
            return "STOPPING";
        case Bundle.UNINSTALLED:
            return "UNINSTALLED";
        default:
            return "in state " + s;
        }
    }
}
