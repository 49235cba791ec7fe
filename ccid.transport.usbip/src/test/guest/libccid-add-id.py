#!/usr/bin/env python3
"""Add a VID/PID to libccid's Info.plist (Debian 12: /etc/libccid_Info.plist; pcscd 1.9.9 matches by VID/PID only).

usage: libccid-add-id.py INFO_PLIST 0x1209 0x0001 "vccid Virtual Reader"

Inserts the three values at index 0 of ifdVendorID, ifdProductID and ifdFriendlyName (the arrays must stay the
same length, else libccid says "Error parsing"). Idempotent: does nothing if the pair is already listed.
"""
import re
import sys


def main():
    path, vid, pid, name = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    text = open(path, encoding="utf-8").read()

    def array(key):
        m = re.search(r"<key>%s</key>\s*<array>(.*?)</array>" % key, text, re.S)
        return re.findall(r"<string>(.*?)</string>", m.group(1))

    vids, pids = array("ifdVendorID"), array("ifdProductID")
    if any(v.lower() == vid.lower() and p.lower() == pid.lower() for v, p in zip(vids, pids)):
        print("already listed: %s:%s" % (vid, pid))
        return
    for key, value in (("ifdVendorID", vid), ("ifdProductID", pid), ("ifdFriendlyName", name)):
        text = re.sub(r"(<key>%s</key>\s*<array>\n)" % key,
                      lambda m: m.group(1) + "\t\t<string>%s</string>\n" % value, text, count=1)
    open(path, "w", encoding="utf-8").write(text)
    print("added %s:%s \"%s\" (%d readers listed)" % (vid, pid, name, len(vids) + 1))


if __name__ == "__main__":
    main()
