package org.vccid.transport.vpcd.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * A tiny Felix launch for integration tests, run in its own JVM: {@code FelixLauncher <storage> <config dir>
 * <bundle.jar>...}. Installs and starts the bundles (FileInstall reads configurations from the config dir), prints
 * {@code READY}, then obeys stdin lines {@code stop <bsn>}, {@code start <bsn>} and {@code quit}, answering
 * {@code OK ...} or {@code ERR ...}. The framework storage persists between launches, like a real installation.
 */
public final class FelixLauncher {

    private FelixLauncher() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, args[0]);
        props.put("felix.fileinstall.dir", args[1]);
        props.put("felix.fileinstall.poll", "200");
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.log.level", "3");
        Framework fw = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(props);
        fw.start();
        BundleContext ctx = fw.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            bundles.add(ctx.installBundle(new File(args[i]).toURI().toString()));
        }
        for (Bundle b : bundles) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
        System.out.println("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            try {
                switch (w[0]) {
                case "stop":
                    find(ctx, w[1]).stop();
                    System.out.println("OK stopped " + w[1]);
                    break;
                case "start":
                    find(ctx, w[1]).start();
                    System.out.println("OK started " + w[1]);
                    break;
                case "quit":
                    fw.stop();
                    fw.waitForStop(10_000);
                    System.out.println("OK quit");
                    System.exit(0);
                    break;
                default:
                    System.out.println("ERR unknown command " + line);
                }
            } catch (Exception e) {
                System.out.println("ERR " + e);
            }
        }
        fw.stop();
        fw.waitForStop(10_000);
    }

    private static Bundle find(BundleContext ctx, String bsn) {
        for (Bundle b : ctx.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new IllegalArgumentException("no bundle " + bsn);
    }
}
