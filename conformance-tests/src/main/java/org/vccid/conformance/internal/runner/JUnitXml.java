package org.vccid.conformance.internal.runner;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Writes results as a Surefire-format JUnit XML report ({@code TEST-<suite>.xml}: testsuite / testcase /
 * failure|error|skipped), the format CI servers read.
 */
public final class JUnitXml {

    private JUnitXml() {
    }

    /**
     * @param suite the suite name, e.g. {@code conformance.in-process.conformance}
     * @return the file written
     */
    public static Path write(Path dir, String suite, List<VectorResult> results) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("TEST-" + suite.replaceAll("[^A-Za-z0-9._-]", "_") + ".xml");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(toXml(suite, results));
        }
        return file;
    }

    public static String toXml(String suite, List<VectorResult> results) {
        long failures = results.stream().filter(r -> r.outcome() == Outcome.FAILED).count();
        long errors = results.stream().filter(r -> r.outcome() == Outcome.ERROR).count();
        long skipped = results.stream().filter(r -> r.outcome() == Outcome.SKIPPED).count();
        long millis = results.stream().mapToLong(VectorResult::millis).sum();
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<testsuite name=\"").append(attr(suite)).append("\" tests=\"").append(results.size())
                .append("\" failures=\"").append(failures).append("\" errors=\"").append(errors)
                .append("\" skipped=\"").append(skipped).append("\" time=\"").append(seconds(millis))
                .append("\" timestamp=\"").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("\">\n");
        sb.append("  <properties/>\n");
        for (VectorResult r : results) {
            sb.append("  <testcase name=\"").append(attr(r.name() + " (" + String.join("; ", r.clauses()) + ")"))
                    .append("\" classname=\"").append(attr(suite)).append("\" time=\"").append(seconds(r.millis()))
                    .append('"');
            switch (r.outcome()) {
            case PASSED:
                sb.append("/>\n");
                break;
            case SKIPPED:
                sb.append(">\n    <skipped message=\"").append(attr(r.message())).append("\"/>\n  </testcase>\n");
                break;
            default:
                String tag = r.outcome() == Outcome.FAILED ? "failure" : "error";
                String type = r.outcome() == Outcome.FAILED ? "org.vccid.conformance.VectorMismatch"
                        : "org.vccid.conformance.VectorError";
                sb.append(">\n    <").append(tag).append(" message=\"").append(attr(r.message())).append("\" type=\"")
                        .append(type).append("\">").append(text(r.message() + "\n" + r.detail())).append("</")
                        .append(tag).append(">\n  </testcase>\n");
                break;
            }
        }
        sb.append("</testsuite>\n");
        return sb.toString();
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static String text(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
            case '<':
                sb.append("&lt;");
                break;
            case '>':
                sb.append("&gt;");
                break;
            case '&':
                sb.append("&amp;");
                break;
            default:
                sb.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '?' : c);
            }
        }
        return sb.toString();
    }

    private static String attr(String s) {
        return text(s).replace("\"", "&quot;").replace("\n", "&#10;");
    }
}
