package org.vccid.transport.vpcd.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs {@link FelixLauncher} in a forked JVM and talks to it over stdin/stdout. */
final class FelixProcess implements AutoCloseable {

    /** Runtime bundles besides ours, found on this test's class path by artifact name. */
    static final String[] RUNTIME = { "org.osgi.service.component-", "org.osgi.util.promise-",
        "org.osgi.util.function-", "org.apache.felix.scr-", "org.apache.felix.configadmin-",
        "org.apache.felix.metatype-", "org.apache.felix.fileinstall-", "org.apache.felix.log-", "bcprov-jdk18on-",
        "bcutil-jdk18on-", "bcpkix-jdk18on-", "ccid.core", "card.cac" };

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder output = new StringBuilder();

    private FelixProcess(Process process) {
        this.process = process;
        this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    synchronized (output) {
                        output.append(l).append('\n');
                    }
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("ERR stdout: " + e);
            }
        }, "felix-stdout");
        t.setDaemon(true);
        t.start();
    }

    static FelixProcess start(Path storage, Path configDir, String vpcdBundle) throws IOException, InterruptedException {
        List<String> cp = new ArrayList<>();
        List<String> bundles = new ArrayList<>();
        String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
        String felix = null;
        for (String e : entries) {
            if (e.contains("org.apache.felix.framework-")) {
                felix = e;
            }
        }
        for (String name : RUNTIME) {
            bundles.add(find(entries, name));
        }
        bundles.add(vpcdBundle);
        cp.add(felix);
        cp.add(Path.of(FelixLauncher.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, cp), FelixLauncher.class.getName(), storage.toString(),
                configDir.toString()));
        cmd.addAll(bundles);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        FelixProcess f = new FelixProcess(p);
        f.expect("READY", 60);
        return f;
    }

    /** A bundle jar on the class path; reactor modules may appear as target/classes, then their jar is beside it. */
    private static String find(String[] entries, String name) {
        for (String e : entries) {
            Path p = Path.of(e);
            String file = p.getFileName().toString();
            if (file.startsWith(name) && file.endsWith(".jar")) {
                return e;
            }
            if (file.equals("classes") && p.getParent() != null && p.getParent().getParent() != null
                    && p.getParent().getParent().getFileName().toString().equals(name)) {
                try (var s = Files.list(p.getParent())) {
                    return s.filter(x -> x.getFileName().toString().startsWith(name)
                            && x.getFileName().toString().endsWith(".jar")).findFirst()
                            .orElseThrow(() -> new IllegalStateException(name + " is not packaged: run mvn verify"))
                            .toString();
                } catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        }
        throw new IllegalStateException("bundle " + name + " not on the test class path");
    }

    void command(String line) throws IOException, InterruptedException {
        stdin.write(line + "\n");
        stdin.flush();
        expect("OK", 30);
    }

    private void expect(String prefix, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (l == null) {
                throw new AssertionError("Felix did not answer " + prefix + " in " + seconds + " s:\n" + output());
            }
            if (l.startsWith(prefix)) {
                return;
            }
            if (l.startsWith("ERR")) {
                throw new AssertionError("Felix: " + l + "\n" + output());
            }
        }
    }

    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                command("quit");
            } catch (IOException | AssertionError e) {
                // fall through to kill
            }
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
