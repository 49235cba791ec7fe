package org.vccid.conformance.internal.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.vccid.conformance.internal.vector.Vector;

class LibraryTest {

    private static final Path SOURCE = Path.of("src/main/resources/vectors");

    @Test
    void indexListsEveryVectorFileAndNothingElse() throws Exception {
        List<String> files;
        try (Stream<Path> s = Files.walk(SOURCE)) {
            files = s.filter(p -> p.toString().endsWith(".vec")).map(p -> SOURCE.relativize(p).toString().replace('\\', '/'))
                    .sorted().collect(Collectors.toList());
        }
        assertEquals(files, Library.builtInNames().stream().sorted().collect(Collectors.toList()),
                "vectors/index must list exactly the .vec files (regenerate it after adding one)");
    }

    @Test
    void everyBuiltInVectorParsesAndNamesItsClause() throws Exception {
        List<Vector> all = Library.builtIn(List.of());
        assertTrue(all.size() >= 20, "the library has " + all.size() + " vectors");
        for (Vector v : all) {
            assertFalse(v.clauses().isEmpty(), v.name());
            assertTrue(v.clauses().stream().anyMatch(c -> c.startsWith("CCID 1.1") || c.startsWith("ISO 7816")),
                    v.name() + " names a CCID or ISO 7816 clause");
        }
        for (String level : List.of("ccid/", "apdu/", "tpdu/")) {
            assertFalse(Library.builtIn(List.of(level)).isEmpty(), "vectors under " + level);
        }
    }

    @Test
    void filesAndFoldersFromTheFileSystem() throws Exception {
        assertEquals(Library.builtIn(List.of("tpdu/")).size(), Library.files(SOURCE.resolve("tpdu")).size());
        assertEquals("t0.vec", Library.files(SOURCE.resolve("tpdu/t0.vec")).get(0).name());
    }
}
