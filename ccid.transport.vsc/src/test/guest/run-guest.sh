#!/bin/bash
# A tiny Linux guest (TCG, no KVM needed) with pcscd + libccid + OpenSC sees a card through QEMU's usb-ccid +
# ccid-card-passthru, served by OUR VSC card side. Runnable by hand; needs root for nothing but apt-get.
#
#   run-guest.sh [--port 37280] [--state /tmp/vccid-guest] [--work DIR] [--check testcard|cac] [--pin 77777777] \
#                [--timeout 240] -- CARD-SIDE-COMMAND...
#
# --state is the kernel cache (the Debian kernel .deb and its unpacked tree, filled once under a lock; shared with
# ccid.transport.usbip's guest); --work (default: the same directory) gets this run's initramfs and logs
# (guest.log, card-side.log). Give each concurrent run its own --work. The script changes into --state, so the
# card side command needs absolute paths (class path too).
#
# The card side command is started after QEMU listens, with VSC_HOST and VSC_PORT in its environment (it must
# connect there as a VSC client and keep running). Examples:
#   - our test card (no OSGi):
#       run-guest.sh --check testcard -- java -cp "$CP" org.vccid.transport.vsc.internal.CardSideMain 127.0.0.1 37280
#     with CP=ccid.core/target/classes:ccid.transport.vsc/target/classes:ccid.transport.vsc/target/test-classes
#   - card.cac through the OSGi distribution: a launch command that starts the framework with a configuration of
#     factory PID org.vccid.transport.vsc.card {port=$VSC_PORT, card.target=(vccid.card.type=cac)}, e.g.
#       run-guest.sh --check cac -- sh -c 'java -Dgosh.args=--nointeractive -jar vccid.jar'
#     or any Card class on a classpath: ... -- java -cp "$CP:card.cac.jar" ...CardSideMain 127.0.0.1 37280 CLASS
#
# Checks in the guest: the QEMU CCID reader enumerates, pcscd sees a card, opensc-tool reads its ATR; then
#   testcard: opensc-tool sends GET DATA (00 CA 00 00 00) and expects ....9000 from our test card;
#   cac:      pkcs11-tool -L shows a token and `pkcs11-tool --login --pin PIN --test` reports no error
#             (OpenSC prints "No errors" or "N errors").
# Ends with a line "N passed, N failed"; exit 0 when nothing failed, 3 when a tool is missing, 4 when no kernel.
# Uses the UHCI controller on purpose: usb-ccid on qemu-xhci loses 64-byte CCID messages.
set -euo pipefail

PORT=37280
STATE=/tmp/vccid-guest
WORK=
CHECK=testcard
PIN=77777777
TIMEOUT=240
while [ $# -gt 0 ]; do
    case "$1" in
        --port) PORT=$2; shift 2 ;;
        --state) STATE=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --check) CHECK=$2; shift 2 ;;
        --pin) PIN=$2; shift 2 ;;
        --timeout) TIMEOUT=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: $0 [options] -- CARD-SIDE-COMMAND..." >&2; exit 2; }

need() { command -v "$1" >/dev/null 2>&1 || { echo "missing $1 (apt-get install $2)" >&2; exit 3; }; }
need qemu-system-x86_64 qemu-system-x86
need busybox busybox-static
need cpio cpio
need pcscd pcscd
need opensc-tool opensc
need pkcs11-tool opensc
need depmod kmod

mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
WORK=${WORK:-$STATE}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
cd "$STATE"

# --- kernel: Debian's own, from the package the linux-image-amd64 metapackage depends on -------------------------
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$KPKG" ] || { echo "apt-cache knows no linux-image-amd64 (run apt-get update; exit 4)" >&2; exit 4; }
KVER=${KPKG#linux-image-}
exec 9> "$STATE/.lock"
flock 9    # one download/unpack at a time (other runs, the usbip guest)
if [ ! -f "kernel/boot/vmlinuz-$KVER" ]; then
    ls ${KPKG}_*.deb >/dev/null 2>&1 || apt-get download "$KPKG" \
        || { echo "cannot download $KPKG (exit 4: no kernel for the guest)" >&2; exit 4; }
    rm -rf kernel kernel.tmp && mkdir kernel.tmp
    dpkg-deb -x ${KPKG}_*.deb kernel.tmp
    depmod -b "$PWD/kernel.tmp" "$KVER"
    mv kernel.tmp kernel
fi
flock -u 9
KDIR=$STATE/kernel

# --- initramfs ------------------------------------------------------------------------------------------------
R=$WORK/root
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,run/pcscd,var/run,lib/modules,usr/lib/pcsc/drivers,usr/lib/x86_64-linux-gnu}
cp "$(command -v busybox)" "$R/bin/busybox"
for m in $(modprobe -d "$KDIR" -S "$KVER" --show-depends uhci_hcd | awk '$1=="insmod" {print $2}'); do
    rel=${m#$KDIR}
    mkdir -p "$R$(dirname "$rel")"
    cp "$m" "$R$rel"
    echo "$rel" >> "$R/etc/modules.order"
done

copy_with_libs() {
    for f in "$@"; do
        mkdir -p "$R$(dirname "$f")"
        cp -L "$f" "$R$f"
        ldd "$f" 2>/dev/null | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | while read -r lib; do
            [ -n "$lib" ] && [ -f "$lib" ] || continue
            mkdir -p "$R$(dirname "$lib")"
            [ -f "$R$lib" ] || cp -L "$lib" "$R$lib"
        done
    done
}
ML=/usr/lib/x86_64-linux-gnu
copy_with_libs /usr/sbin/pcscd /usr/bin/opensc-tool /usr/bin/pkcs11-tool \
    $ML/libpcsclite.so.1 $ML/opensc-pkcs11.so $ML/libgcc_s.so.1 $ML/ossl-modules/legacy.so \
    /usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Linux/libccid.so
cp /usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Info.plist \
    "$R/usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Info.plist"
mkdir -p "$R/etc/opensc" && cp /etc/opensc/opensc.conf "$R/etc/opensc/"
[ -e "$R/lib64" ] || ln -s usr/lib64 "$R/lib64" 2>/dev/null || true
mkdir -p "$R/usr/lib64" "$R/lib/x86_64-linux-gnu"
cp -L /lib64/ld-linux-x86-64.so.2 "$R/usr/lib64/" 2>/dev/null || cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
ldconfig -r "$R" 2>/dev/null || true

cat > "$R/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in \$(cat /etc/modules.order); do insmod \$m 2>/dev/null; done
ok=0; bad=0
pass() { echo "GUEST PASS: \$*"; ok=\$((ok+1)); }
fail() { echo "GUEST FAIL: \$*"; bad=\$((bad+1)); }
for i in \$(seq 1 100); do grep -qs 08e6 /sys/bus/usb/devices/*/idVendor && break; sleep 0.2; done
grep -qs 08e6 /sys/bus/usb/devices/*/idVendor && pass "QEMU usb-ccid enumerated" || fail "no usb-ccid device"
pcscd --foreground --error > /tmp/pcscd.log 2>&1 &
card=no
for i in \$(seq 1 120); do
    if opensc-tool -a > /tmp/atr 2>&1; then card=yes; break; fi
    sleep 0.5
done
if [ \$card = yes ]; then pass "card present, ATR \$(cat /tmp/atr | tail -1)"; else fail "no card: \$(cat /tmp/atr)"; fi
opensc-tool -l
if [ "$CHECK" = testcard ]; then
    out=\$(opensc-tool -s 00CA000000 -s 0000000003010203 2>&1); echo "\$out"
    n=\$(echo "\$out" | grep -c "SW1=0x90, SW2=0x00")
    [ "\$n" = 2 ] && pass "test card answers both APDUs with 90 00" || fail "\$n of 2 APDUs answered 90 00"
    echo "\$out" | grep -q "^03 02 01 " && pass "test card reverses data" || fail "wrong answer to the echo APDU"
else
    pkcs11-tool -L 2>&1 | tee /tmp/l; grep -q "token label" /tmp/l && pass "pkcs11 token" || fail "no token"
    pkcs11-tool --login --pin $PIN --test 2>&1 | tee /tmp/t
    # pkcs11-tool ends with "No errors" or "N errors"
    if grep -qE "^(No errors|0 errors)" /tmp/t; then pass "pkcs11-tool --login --test: 0 errors"
    else fail "pkcs11-tool --login --test: \$(grep -E "errors" /tmp/t | tail -1)"; fi
fi
echo "GUEST RESULT: \$ok passed, \$bad failed"
poweroff -f
INIT
chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initrd.cpio.gz"

# --- run ------------------------------------------------------------------------------------------------------
LOG=$WORK/guest.log
CARDLOG=$WORK/card-side.log
: > "$LOG"
timeout "$TIMEOUT" qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 512 \
    -kernel "$KDIR/boot/vmlinuz-$KVER" -initrd "$WORK/initrd.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1" -display none -nodefaults -no-reboot -serial stdio \
    -device piix3-usb-uhci,id=hc -device usb-ccid,bus=hc.0 \
    -chardev socket,id=ccid,host=127.0.0.1,port=$PORT,server=on,wait=off \
    -device ccid-card-passthru,chardev=ccid > "$LOG" 2>&1 &
QEMU_PID=$!
sleep 0.5
VSC_HOST=127.0.0.1 VSC_PORT=$PORT setsid "$@" > "$CARDLOG" 2>&1 &
CARD_PID=$!
wait $QEMU_PID || true
if ! kill -0 $CARD_PID 2>/dev/null; then
    echo "card side command ended before the guest did; its output:"; tail -20 "$CARDLOG"
fi
kill -- -$CARD_PID 2>/dev/null || kill $CARD_PID 2>/dev/null || true
wait $CARD_PID 2>/dev/null || true

grep -E "GUEST (PASS|FAIL|RESULT)" "$LOG" || true
RESULT=$(grep -a "GUEST RESULT" "$LOG" | tail -1 | sed 's/.*GUEST RESULT: //' | tr -d '\r')
if [ -z "$RESULT" ]; then
    echo "guest produced no result (see $LOG, $CARDLOG)"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "$RESULT"
case "$RESULT" in *" 0 failed") exit 0 ;; *) exit 1 ;; esac
