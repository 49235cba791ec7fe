package org.vccid.ccid.internal.ds;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Ctrl-C / SIGTERM stop the framework cleanly (components deactivated, hosts told, configuration saved) instead of
 * the JVM dying under it: bnd's launcher does not stop the framework on a JVM shutdown. Opt-in with the framework
 * property {@value #PROPERTY}{@code =true}, which the default distribution sets; a framework embedded elsewhere
 * keeps its own shutdown policy.
 */
@Component(immediate = true)
public class ShutdownHook {

    public static final String PROPERTY = "vccid.shutdown.hook";

    private Thread hook;

    @Activate
    void activate(BundleContext context) {
        if (!Boolean.parseBoolean(context.getProperty(PROPERTY))) {
            return;
        }
        Bundle system = context.getBundle(0);
        hook = new Thread(() -> stop(system), "vccid-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private static void stop(Bundle system) {
        try {
            system.stop();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((system.getState() & (Bundle.ACTIVE | Bundle.STOPPING)) != 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.out.println("vccid: stopped");
        } catch (BundleException | IllegalStateException e) {
            // already stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Deactivate
    void deactivate() {
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is what stopped us
            }
        }
    }
}
