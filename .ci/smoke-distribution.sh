#!/usr/bin/env bash
# Boots the default distribution headless (the README's run command), checks what it prints, stops it with
# SIGTERM (as Ctrl-C would) and checks that it shuts down cleanly. Writes a JUnit XML report for .ci/count-tests.py.
set -uo pipefail
cd "$(dirname "$0")/.."
jar=cnf/target/vccid.jar
out=cnf/target/smoke
report=cnf/target/smoke-reports
rm -rf "$out" "$report"; mkdir -p "$out/load" "$report"
cases=()   # "name|failure message or empty"
check() { if grep -qF -- "$2" "$out/console.txt"; then cases+=("$1|"); else cases+=("$1|missing: $2"); fi; }

(cd "$out" && exec java -Dgosh.args=--nointeractive -jar "../vccid.jar" > console.txt 2>&1) &
pid=$!
for _ in $(seq 1 60); do grep -q 'vccid: reader "vccid Virtual Reader"' "$out/console.txt" 2>/dev/null && break; sleep 0.5; done
sleep 2
check "prints the default reader" 'vccid: reader "vccid Virtual Reader" with 1 slot(s)'
while read -r line; do [ -n "$line" ] && check "prints: $line" "$line"; done < .ci/smoke-expect.txt
kill -TERM "$pid"
stopped=no
for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || { stopped=yes; break; }; sleep 0.25; done
if [ $stopped = yes ]; then cases+=("stops on SIGTERM within 10 s|"); else cases+=("stops on SIGTERM within 10 s|still running"); kill -9 "$pid"; fi
check "reports the reader removed on the way down" 'vccid: reader "vccid Virtual Reader" removed'
check "says it stopped" 'vccid: stopped'
if grep -qE 'Exception|ERROR' "$out/console.txt"; then cases+=("no exception on the console|$(grep -m1 -E 'Exception|ERROR' "$out/console.txt")"); else cases+=("no exception on the console|"); fi

printf '%s\n' "${cases[@]}" | python3 -c '
import sys
from xml.sax.saxutils import quoteattr
rows = [l.rstrip("\n").split("|", 1) for l in sys.stdin if l.strip()]
fails = sum(1 for _, m in rows if m)
print("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
print(f"<testsuite name=\"distribution-smoke\" tests=\"{len(rows)}\" failures=\"{fails}\" errors=\"0\" skipped=\"0\">")
for name, msg in rows:
    if msg:
        print(f"  <testcase classname=\"distribution\" name={quoteattr(name)}><failure message={quoteattr(msg)}/></testcase>")
    else:
        print(f"  <testcase classname=\"distribution\" name={quoteattr(name)}/>")
print("</testsuite>")
' > "$report/TEST-distribution-smoke.xml"
fails=$(grep -c '<failure' "$report/TEST-distribution-smoke.xml")
echo "distribution smoke: ${#cases[@]} checks, $fails failed (console: $out/console.txt)"
[ $fails = 0 ]
