package org.vccid.conformance.internal.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.internal.vector.VectorFormatException;
import org.vccid.conformance.internal.vector.VectorParser;

/**
 * The vector library shipped in this bundle ({@code vectors/<level>/*.vec}, listed in {@code vectors/index}), and
 * vector files or folders from the file system.
 */
public final class Library {

    /** The resource listing the built-in vectors, one path per line relative to {@code vectors/}. */
    public static final String INDEX = "vectors/index";

    private Library() {
    }

    /** Names of the built-in vectors ({@code ccid/power-on.vec}, ...), in index order. */
    public static List<String> builtInNames() throws IOException {
        try (InputStream in = open(INDEX)) {
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
        }
    }

    /**
     * Built-in vectors whose name starts with one of the prefixes (all when none).
     *
     * @throws VectorFormatException when a built-in file is malformed (a defect of this bundle)
     */
    public static List<Vector> builtIn(List<String> prefixes) throws IOException, VectorFormatException {
        List<Vector> out = new ArrayList<>();
        for (String name : builtInNames()) {
            if (prefixes.isEmpty() || prefixes.stream().anyMatch(name::startsWith)) {
                try (InputStream in = open("vectors/" + name)) {
                    out.add(VectorParser.parse(name, new InputStreamReader(in, StandardCharsets.UTF_8)));
                }
            }
        }
        return out;
    }

    /** Vector files, or folders searched for {@code *.vec}, from the file system. */
    public static List<Vector> files(Path path) throws IOException, VectorFormatException {
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path)) {
                files = s.filter(p -> p.toString().endsWith(".vec")).sorted().collect(Collectors.toList());
            }
        } else {
            files = List.of(path);
        }
        List<Vector> out = new ArrayList<>();
        for (Path f : files) {
            String name = Files.isDirectory(path) ? path.relativize(f).toString() : f.getFileName().toString();
            out.add(VectorParser.parse(name, Files.readString(f, StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = Library.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("resource " + resource + " is missing from the conformance-tests bundle");
        }
        return in;
    }
}
