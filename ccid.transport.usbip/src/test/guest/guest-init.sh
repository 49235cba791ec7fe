#!/bin/sh
# /init of the test guest: attach the host's USB/IP reader through vhci-hcd, then use it with pcscd/libccid/OpenSC.
# Prints "CHECK ok NAME" / "CHECK fail NAME" lines and a summary; the host script judges them.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /run && mkdir -p /run/pcscd
# which card the host's reader holds: vccid.card=test (the test card, T=1) or vccid.card=cac (card.cac)
CARD=test
for w in $(cat /proc/cmdline); do case $w in vccid.card=*) CARD=${w#vccid.card=} ;; esac; done
echo "card in the host's reader: $CARD"
if [ "$CARD" = cac ]; then ATR=3b:89:00:56:43:41:52:44:5f:4e:53:53; else ATR=3b:88:81:31:fe:45:45:4d:55:2d:54:31:43:44:91; fi
pass=0; fail=0
check() { # NAME COMMAND...: run, report
    n=$1; shift
    if "$@"; then echo "CHECK ok $n"; pass=$((pass+1)); else echo "CHECK fail $n"; fail=$((fail+1)); fi
}
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m 2>/dev/null; done
ip link set lo up; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0
HOST=10.0.2.100
usbip list -r $HOST > /tmp/list 2>&1; cat /tmp/list
check devlist grep -q "1-1: .*(1209:0001)" /tmp/list
attach() {
    usbip attach -r $HOST -b 1-1 || return 1
    for i in $(seq 1 100); do
        for d in /sys/bus/usb/devices/*; do
            [ "$(cat $d/idVendor 2>/dev/null)" = 1209 ] && [ -e $d/bConfigurationValue ] \
                && [ "$(cat $d/bConfigurationValue)" = 1 ] && return 0
        done
        sleep 0.1
    done
    return 1
}
check attach attach
usbip port
for d in /sys/bus/usb/devices/*; do
    [ "$(cat $d/idVendor 2>/dev/null)" = 1209 ] && echo "usb device $d: $(cat $d/product) / $(cat $d/manufacturer) / $(cat $d/serial) speed $(cat $d/speed)"
done
LIBCCID_ifdLogLevel=0x0003 pcscd -f > /tmp/pcscd.log 2>&1 &
PCSCD=$!
for i in $(seq 1 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
sleep 1
timeout 20 pcsc_scan -r > /tmp/scan 2>&1; cat /tmp/scan
check pcsc_scan grep -q "vccid Virtual Reader" /tmp/scan
opensc-tool -l > /tmp/l 2>&1; cat /tmp/l
check opensc-list grep -q "vccid Virtual Reader" /tmp/l
opensc-tool -r 0 -a > /tmp/a 2>&1; cat /tmp/a
check atr grep -qi "$ATR" /tmp/a
if [ "$CARD" = test ]; then
# SELECT, GET CHALLENGE, an ECHO whose answer is a 64-byte CCID message (52 data + SW + 10), a 300-byte answer
E52=$(i=0; while [ $i -lt 52 ]; do printf '%02X:' $i; i=$((i+1)); done)
opensc-tool -r 0 -s 00:A4:04:00:02:3F:00 -s 00:84:00:00:08 -s 80:EE:00:00:34:${E52%:} -s 80:B0:01:2C > /tmp/s 2>&1
cat /tmp/s | head -40
check apdus test "$(grep -c 'SW1=0x90, SW2=0x00' /tmp/s)" = 4
else
opensc-tool -r 0 -n > /tmp/n 2>&1; cat /tmp/n
check card-name grep -q "Common Access Card" /tmp/n
fi
# a loop of 200 APDUs in one process, timed
ARGS=""; i=0; while [ $i -lt 200 ]; do ARGS="$ARGS -s 00:84:00:00:08"; i=$((i+1)); done
t0=$(cut -d' ' -f1 /proc/uptime)
opensc-tool -r 0 $ARGS > /tmp/b 2>&1
t1=$(cut -d' ' -f1 /proc/uptime)
echo "200 APDUs in $(echo "$t0 $t1" | awk '{printf "%.2f s (%.0f APDU/s)", $2-$1, 200/($2-$1)}')"
check apdu-loop test "$(grep -c 'SW1=0x90, SW2=0x00' /tmp/b)" = 200
pkcs11-tool --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so -L > /tmp/p 2>&1; cat /tmp/p
check pkcs11-slot grep -q "vccid Virtual Reader" /tmp/p
if [ "$CARD" = cac ]; then
    pkcs11-tool --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so -O > /tmp/o 2>&1; cat /tmp/o
    check pkcs11-objects test "$(grep -c "CAC .* Certificate" /tmp/o)" -ge 3
    t0=$(cut -d' ' -f1 /proc/uptime)
    pkcs11-tool --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so --login --pin 12345678 --test > /tmp/t 2>&1
    rc=$?
    t1=$(cut -d' ' -f1 /proc/uptime)
    cat /tmp/t
    echo "pkcs11-tool --login --test: exit $rc in $(echo "$t0 $t1" | awk '{printf "%.1f s", $2-$1}')"
    # it exits 0 even when tests failed: the verdict is its last line, "No errors" or "N errors"
    check pkcs11-login-test grep -q "^No errors" /tmp/t
else
    echo "SKIP pkcs11-tool --login --test: the test card has no PKCS#15 application (VCCID_GUEST_CARD=cac runs it)"
fi
kill $PCSCD; sleep 0.5
# detach, then import again
check detach usbip detach -p 0
sleep 1
check reattach attach
LIBCCID_ifdLogLevel=0x0003 pcscd -f > /tmp/pcscd2.log 2>&1 &
for i in $(seq 1 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
sleep 1
opensc-tool -r 0 -a > /tmp/a2 2>&1; cat /tmp/a2
check atr-after-reattach grep -qi "$ATR" /tmp/a2
dmesg | grep -iE "vhci|usbip|usb 1-" | tail -20
check no-vhci-errors sh -c '! dmesg | grep -qE "recv xbuf|cannot find a urb|unknown pdu|invalid request to devnum"'
grep -iE "error|invalid|not enough" /tmp/pcscd.log | head -10
echo "GUEST RESULT: $pass passed, $fail failed"
poweroff -f
