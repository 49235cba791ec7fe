#!/bin/sh
# Build a tiny Linux guest that can `usbip attach` our reader: Debian's own kernel (apt-get download) with
# vhci-hcd, busybox, and the host's pcscd/libccid/pcsc-tools/OpenSC binaries with their libraries, plus usbip
# (apt-get download). Output: $WORK/vmlinuz and $WORK/initrd.gz. Needs root only for nothing; no host modules.
#   VCCID_GUEST_WORK  scratch directory (default: <module>/target/guest)
#   VCCID_GUEST_CACHE  where the downloaded kernel and usbip .debs are kept (default /tmp/vccid-guest: the same
#                      cache as ccid.transport.vsc's guest, so the 70 MB kernel is fetched once per machine)
#   VCCID_VID/VCCID_PID  the IDs added to the guest's libccid Info.plist (default 0x1209 / 0x0001)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
MOD=$(cd "$HERE/../../.." && pwd)
WORK=${VCCID_GUEST_WORK:-$MOD/target/guest}
VID=${VCCID_VID:-0x1209}
PID=${VCCID_PID:-0x0001}
KPKG=${VCCID_KERNEL_PACKAGE:-$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')}
# exit 4 = no guest kernel to be had (GuestPeerTest skips then)
[ -n "$KPKG" ] || { echo "apt-cache knows no linux-image-amd64 (apt-get update?): no guest kernel" >&2; exit 4; }
CACHE=${VCCID_GUEST_CACHE:-/tmp/vccid-guest}
mkdir -p "$WORK" "$CACHE"
cd "$CACHE"
exec 9> "$CACHE/.lock"
flock 9    # one download at a time (other runs, the vsc guest)
for p in "$KPKG" usbip; do
    ls ${p}_*.deb >/dev/null 2>&1 || apt-get download "$p" >/dev/null \
        || { echo "cannot download $p into $CACHE: no guest kernel" >&2; exit 4; }
done
flock -u 9
rm -rf "$WORK/k" "$WORK/root"
mkdir -p "$WORK/k" "$WORK/root"
dpkg-deb -x "$CACHE"/${KPKG}_*.deb "$WORK/k"
dpkg-deb -x "$CACHE"/usbip_*.deb "$WORK/k"
KVER=$(ls "$WORK/k/lib/modules")
depmod -b "$WORK/k" "$KVER"
cp "$WORK/k/boot/vmlinuz-$KVER" "$WORK/vmlinuz"

R="$WORK/root"
mkdir -p "$R"/bin "$R"/sbin "$R"/etc "$R"/proc "$R"/sys "$R"/dev "$R"/run/pcscd "$R"/tmp "$R"/lib/modules "$R"/usr/sbin \
    "$R"/usr/bin "$R"/var/run
cp /usr/bin/busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"; done

# kernel modules, with their dependencies, flat in /lib/modules (loaded with insmod in order)
: > "$R/lib/modules/order"
for m in vhci-hcd virtio_net virtio_pci; do
    modprobe -d "$WORK/k" -S "$KVER" --show-depends "$m" | while read -r kind path _; do
        [ "$kind" = insmod ] || continue
        b=$(basename "$path")
        [ -e "$R/lib/modules/$b" ] && continue
        cp "$path" "$R/lib/modules/$b"
        echo "$b" >> "$R/lib/modules/order"
    done
done

# user space: binaries and every library they (or what they dlopen) need
copy() { # copy a file keeping its path, plus its ldd closure
    for f in "$@"; do
        [ -e "$R$f" ] || { mkdir -p "$R$(dirname "$f")"; cp -L "$f" "$R$f"; }
        ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r l; do
            [ -e "$R$l" ] || { mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"; }
        done
    done
}
LIBDIR=/usr/lib/x86_64-linux-gnu
copy /usr/sbin/pcscd /usr/bin/pcsc_scan /usr/bin/opensc-tool /usr/bin/pkcs11-tool \
    /usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Linux/libccid.so $LIBDIR/opensc-pkcs11.so \
    $LIBDIR/libopensc.so.8 $LIBDIR/ossl-modules/legacy.so /lib/x86_64-linux-gnu/libgcc_s.so.1 \
    /lib64/ld-linux-x86-64.so.2
mkdir -p "$R/usr/sbin"
cp "$WORK/k/usr/sbin/usbip" "$R/usr/sbin/usbip"
copy "$WORK/k/usr/sbin/usbip" >/dev/null 2>&1 || true
for l in $(ldd "$WORK/k/usr/sbin/usbip" | awk '/=> \//{print $3}'); do
    [ -e "$R$l" ] || { mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"; }
done
mkdir -p "$R/etc/opensc" "$R/usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents"
cp /etc/opensc/opensc.conf "$R/etc/opensc/opensc.conf" 2>/dev/null || cp /etc/opensc.conf "$R/etc/opensc/opensc.conf"
cp /etc/libccid_Info.plist "$R/usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Info.plist"
python3 "$HERE/libccid-add-id.py" "$R/usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Info.plist" "$VID" "$PID" \
    "vccid Virtual Reader"
echo "root:x:0:0:root:/:/bin/sh" > "$R/etc/passwd"
echo "root:x:0:" > "$R/etc/group"
ldconfig -r "$R" 2>/dev/null || true
cp "$HERE/guest-init.sh" "$R/init"
chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$WORK/initrd.gz")
echo "guest built: $WORK/vmlinuz ($KVER), $WORK/initrd.gz ($(du -h "$WORK/initrd.gz" | cut -f1))"
