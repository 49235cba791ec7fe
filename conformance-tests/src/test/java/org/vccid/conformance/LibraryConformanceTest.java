package org.vccid.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vccid.conformance.internal.inprocess.EngineReaders;
import org.vccid.conformance.internal.runner.Filters;
import org.vccid.conformance.internal.runner.Library;
import org.vccid.conformance.internal.runner.Outcome;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.Targets;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.Target;

/**
 * The whole vector library as JUnit 5 dynamic tests, for every target x card this build has (README "Matrix"):
 * one test per vector that applies to the card (its {@code # requires:} filter), named by file and clause; a
 * failure shows the byte diff.
 */
class LibraryConformanceTest {

    private static EngineReaders readers;

    @BeforeAll
    static void readers() {
        readers = new EngineReaders();
    }

    @AfterAll
    static void close() {
        readers.close();
    }

    @TestFactory
    Stream<DynamicNode> library() throws Exception {
        List<Vector> vectors = Library.builtIn(List.of());
        Target inProcess = EngineReaders.target(readers);
        List<DynamicNode> matrix = new ArrayList<>();
        // card personalities run the whole library; the bad-ATR fixtures only the vectors that ask for them
        List<CardSource> personalities = List.of(Targets.conformanceCard(), Targets.testCard(), Targets.cacCard());
        List<CardSource> all = new ArrayList<>(personalities);
        all.add(Targets.badTsCard());
        all.add(Targets.badTckCard());
        for (CardSource card : all) {
            List<DynamicNode> tests = new ArrayList<>();
            for (Vector v : vectors) {
                if (!personalities.contains(card) && v.requires() == null
                        || v.requires() != null && !Filters.matches(v.requires(), card.properties())) {
                    continue; // the vector does not apply to this card (README "Matrix")
                }
                tests.add(DynamicTest.dynamicTest(v.name() + " (" + String.join("; ", v.clauses()) + ")",
                        () -> check(new Runner().run(v, inProcess, card))));
            }
            matrix.add(DynamicContainer.dynamicContainer(inProcess.name() + " x " + card.properties(), tests));
        }
        return matrix.stream();
    }

    static void check(VectorResult r) {
        assumeTrue(r.outcome() != Outcome.SKIPPED, r.message());
        assertEquals(Outcome.PASSED, r.outcome(), () -> r.message() + "\n" + r.detail());
    }

    @Test
    void theTestCardRunsTheCardAgnosticVectors() throws Exception {
        // guards the matrix above against "everything skipped"
        List<VectorResult> results = new ArrayList<>();
        for (Vector v : Library.builtIn(List.of("ccid/"))) {
            results.add(new Runner().run(v, EngineReaders.target(readers), Targets.testCard()));
        }
        long passed = results.stream().filter(r -> r.outcome() == Outcome.PASSED).count();
        long skipped = results.stream().filter(r -> r.outcome() == Outcome.SKIPPED).count();
        assertTrue(passed >= 8, () -> passed + " passed: " + results);
        assertTrue(skipped >= 1, "vectors that need the reference card are skipped, not failed");
        assertEquals(results.size(), passed + skipped, () -> results.toString());
    }
}
