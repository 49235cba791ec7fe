#!/bin/sh
# Real peer: a QEMU guest (Debian kernel with vhci-hcd, usbip, pcscd, libccid, OpenSC) attaches our USB/IP reader
# and uses it. Builds the guest (build-guest.sh) unless it exists, starts our server (DemoServer) on
# 127.0.0.1:$VCCID_GUEST_PORT unless VCCID_GUEST_NO_SERVER=1, boots the guest with a guestfwd that runs socat to
# that port (guest 10.0.2.100:3240), and judges the guest's CHECK lines. Exit 0 when all passed.
#   usage: src/test/guest/run-guest.sh   (after `mvn -pl ccid.transport.usbip -am test-compile`)
#   VCCID_GUEST_CARD=test (default: the test card, T=1) or cac (card.cac's CAC, fresh state in $WORK/cac-state;
#     the guest then runs `pkcs11-tool --login --pin 12345678 --test` and wants "No errors"). The guest learns
#     the card from the kernel command line (vccid.card=...), so both share one initramfs.
#   VCCID_GUEST_CP  class path for DemoServer (GuestPeerTest passes its own); default: the reactor's target
#     directories plus BouncyCastle from ~/.m2
#   VCCID_GUEST_CACHE  where the kernel and usbip .debs are kept (default /tmp/vccid-guest, shared with
#     ccid.transport.vsc's guest)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
MOD=$(cd "$HERE/../../.." && pwd)
WORK=${VCCID_GUEST_WORK:-$MOD/target/guest}
PORT=${VCCID_GUEST_PORT:-37590}
CARD=${VCCID_GUEST_CARD:-test}
case "$CARD" in test|cac) ;; *) echo "VCCID_GUEST_CARD must be test or cac" >&2; exit 2 ;; esac
[ -s "$WORK/initrd.gz" ] && [ "$WORK/initrd.gz" -nt "$HERE/guest-init.sh" ] && [ "$WORK/initrd.gz" -nt "$HERE/build-guest.sh" ] \
    || "$HERE/build-guest.sh" || exit $?
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; true; }
trap cleanup EXIT INT TERM
CP="$MOD/target/classes:$MOD/target/test-classes:$MOD/../ccid.core/target/classes:$MOD/../ccid.core/target/test-classes"
if [ -n "${VCCID_GUEST_CP:-}" ]; then
    CP=$VCCID_GUEST_CP
elif [ "$CARD" = cac ]; then
    CP="$CP:$MOD/../card.cac/target/classes"
    for j in $(find "$HOME/.m2/repository/org/bouncycastle" -name 'bc*-jdk18on-1.87.jar' 2>/dev/null); do CP="$CP:$j"; done
fi
SERVER_ARGS=""
if [ "$CARD" = cac ]; then rm -rf "$WORK/cac-state"; SERVER_ARGS="--cac $WORK/cac-state"; fi
if [ "${VCCID_GUEST_NO_SERVER:-0}" != 1 ]; then
    # shellcheck disable=SC2086
    java -cp "$CP" org.vccid.transport.usbip.tools.DemoServer "$PORT" $SERVER_ARGS > "$WORK/server.log" 2>&1 &
    SERVER=$!
    for i in $(seq 1 300); do grep -q READY "$WORK/server.log" 2>/dev/null && break; sleep 0.1; done
    grep -q READY "$WORK/server.log" || { cat "$WORK/server.log"; echo "server did not start"; exit 1; }
fi
CAPTURE=""
if [ "${VCCID_GUEST_CAPTURE:-1}" = 1 ] && command -v tshark >/dev/null && [ "$(id -u)" = 0 ]; then
    rm -f "$WORK/usbip-live.pcap"
    tshark -q -i lo -f "tcp port $PORT" -w "$WORK/usbip-live.pcap" > "$WORK/tshark.log" 2>&1 &
    CAPTURE=$!
    for i in $(seq 1 50); do grep -q "Capturing on" "$WORK/tshark.log" 2>/dev/null && break; sleep 0.1; done
fi
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; [ -n "$CAPTURE" ] && kill "$CAPTURE" 2>/dev/null; true; }
timeout "${VCCID_GUEST_TIMEOUT:-300}" qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 512 \
    -kernel "$WORK/vmlinuz" -initrd "$WORK/initrd.gz" -append "console=ttyS0 quiet panic=-1 vccid.card=$CARD" \
    -display none -nodefaults -no-reboot -serial stdio \
    -netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:3240-cmd:socat -lf /dev/null STDIO TCP:127.0.0.1:$PORT" \
    -device virtio-net-pci,netdev=n0 < /dev/null | tee "$WORK/console.log" | tr -d '\r'
passed=$(grep -c "^CHECK ok" "$WORK/console.log" || true)
failed=$(grep -c "^CHECK fail" "$WORK/console.log" || true)
echo "guest checks: $passed passed, $failed failed (console: $WORK/console.log, server: $WORK/server.log)"
judged=0
if [ -n "$CAPTURE" ]; then
    sleep 1; kill "$CAPTURE" 2>/dev/null; wait "$CAPTURE" 2>/dev/null || true; CAPTURE=""
    echo "judging the live capture $WORK/usbip-live.pcap with tshark:"
    java -cp "$CP" org.vccid.transport.usbip.tools.JudgeCapture "$WORK/usbip-live.pcap" "$PORT" || judged=1
fi
[ "$failed" = 0 ] && [ "$passed" -gt 0 ] && [ "$judged" = 0 ]
