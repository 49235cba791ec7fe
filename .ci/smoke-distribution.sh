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
# reachable on loopback: a USB/IP OP_REQ_DEVLIST (version 0x0111, code 0x8005) lists the reader as busid 1-1
devlist=$(python3 - <<'PY' 2>&1
import socket, struct
s = socket.create_connection(("127.0.0.1", 3240), timeout=5)
s.sendall(struct.pack(">HHI", 0x0111, 0x8005, 0))
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
version, code, status, n = struct.unpack(">HHII", data[:12])
busid = data[12 + 256:12 + 256 + 32].split(b"\0")[0].decode()
# per device: path[256] busid[32] busnum devnum speed (u32) idVendor idProduct bcdDevice (u16) 6 x u8 = 312 bytes,
# then 4 bytes per interface: class, subclass, protocol, padding
vid, pid = struct.unpack(">HH", data[12 + 256 + 32 + 12:12 + 256 + 32 + 16])
ifclass = data[12 + 312] if n else -1
print(f"reply {code:#06x} status {status} devices {n} busid {busid} {vid:04x}:{pid:04x} interface class {ifclass:#04x}")
PY
)
echo "USB/IP devlist: $devlist"
case "$devlist" in
  *"reply 0x0005 status 0 devices 1 busid 1-1 1209:0001 interface class 0x0b"*) cases+=("USB/IP on 127.0.0.1:3240 lists the reader (class 0x0B)|") ;;
  *) cases+=("USB/IP on 127.0.0.1:3240 lists the reader (class 0x0B)|got: $(echo "$devlist" | tr '\n' ' ')") ;;
esac
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
