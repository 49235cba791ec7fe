package org.vccid.conformance.internal.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class JUnitXmlTest {

    @Test
    void surefireShapeWithCountsAndTheDiffInTheFailure(@TempDir Path dir) throws Exception {
        List<VectorResult> results = List.of(
                new VectorResult("ccid/a.vec", "a", List.of("CCID 1.1 §6.1.1"), Outcome.PASSED, "", "", 3),
                new VectorResult("ccid/b.vec", "b", List.of("CCID 1.1 §6.1.2"), Outcome.FAILED,
                        "line 4: byte 10 <x> & \"y\"", "  0000 expected: 90 00\n  0000 actual:   6A 82\n", 5),
                new VectorResult("ccid/c.vec", "c", List.of("c"), Outcome.ERROR, "target down", "", 1),
                new VectorResult("ccid/d.vec", "d", List.of("d"), Outcome.SKIPPED, "card does not fit", "", 0));
        Path f = JUnitXml.write(dir, "conformance.in-process.conformance", results);
        assertEquals("TEST-conformance.in-process.conformance.xml", f.getFileName().toString());
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Files.newInputStream(f));
        Element suite = doc.getDocumentElement();
        assertEquals("testsuite", suite.getTagName());
        assertEquals("4", suite.getAttribute("tests"));
        assertEquals("1", suite.getAttribute("failures"));
        assertEquals("1", suite.getAttribute("errors"));
        assertEquals("1", suite.getAttribute("skipped"));
        assertEquals(4, doc.getElementsByTagName("testcase").getLength());
        Element failure = (Element) doc.getElementsByTagName("failure").item(0);
        assertEquals("line 4: byte 10 <x> & \"y\"", failure.getAttribute("message"));
        assertTrue(failure.getTextContent().contains("0000 actual:   6A 82"), failure.getTextContent());
        assertEquals(1, doc.getElementsByTagName("error").getLength());
        assertEquals(1, doc.getElementsByTagName("skipped").getLength());
        Element first = (Element) doc.getElementsByTagName("testcase").item(0);
        assertEquals("ccid/a.vec (CCID 1.1 §6.1.1)", first.getAttribute("name"));
        assertEquals("0.003", first.getAttribute("time"));
    }

    @Test
    void summaryLine() {
        List<VectorResult> results = List.of(
                new VectorResult("a", "a", List.of("c"), Outcome.PASSED, "", "", 0),
                new VectorResult("b", "b", List.of("c"), Outcome.ERROR, "x", "", 0),
                new VectorResult("c", "c", List.of("c"), Outcome.SKIPPED, "x", "", 0));
        assertEquals("1 passed, 1 failed", Summary.line(results));
        assertEquals(1, Summary.skipped(results));
        assertEquals(2, Summary.ran(results));
    }
}
