#!/usr/bin/env python3
"""Sum every JUnit XML report of the build and print `N passed, N failed`.

Exit 1 when a report counts 0 tests (some bnd-tester / JUnit pairs silently run none), when no report exists,
or when any test failed.
"""
import glob
import sys
import xml.etree.ElementTree as ET

patterns = ["**/target/surefire-reports/TEST-*.xml", "**/target/failsafe-reports/TEST-*.xml",
            "**/target/test-reports/**/TEST-*.xml", "**/target/conformance-reports/**/TEST-*.xml",
            "cnf/target/smoke-reports/TEST-*.xml"]
files = sorted({f for p in patterns for f in glob.glob(p, recursive=True)})
total = failed = skipped = 0
empty = []
for f in files:
    root = ET.parse(f).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = sum(int(s.get("tests", 0)) for s in suites)
    bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skip = sum(int(s.get("skipped", 0)) for s in suites)
    if tests == 0:
        empty.append(f)
    total += tests
    failed += bad
    skipped += skip
    if bad:
        print(f"FAILED in {f}: {bad}")
        # each failed test in run order with its message's first line: the first one is often the cause,
        # the later ones its consequences (a CI log shows only its tail)
        for case in root.iter("testcase"):
            for problem in list(case.findall("failure")) + list(case.findall("error")):
                message = (problem.get("message") or problem.text or "").strip().splitlines()
                first = message[0][:200] if message else ""
                print(f"  {case.get('classname', '').rsplit('.', 1)[-1]}.{case.get('name')}: {first}")
for f in empty:
    print(f"report with 0 tests: {f}")
passed = total - failed - skipped
print(f"{len(files)} reports")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or empty or not files or total == 0 else 0)
