#!/usr/bin/python3
# Runs Debian's vicc (vsmartcard-vpicc 3.3) as shipped, with three in-process fixes:
#  1. its module lives in /usr/lib/python3/site-packages/virtualsmartcard/, which is not on sys.path;
#  2. it imports PyCrypto's "Crypto", Debian only ships pycryptodome as "Cryptodome": alias the package;
#  3. vpcd sends length and APDU in two writes; without TCP_QUICKACK on the card side a delayed ACK stalls
#     each APDU ~40 ms (Nagle): set TCP_QUICKACK after every recv().
# Usage: vicc_launcher.py [vicc arguments], e.g. -t iso7816 -H 127.0.0.1 -P 37800
import importlib
import importlib.abc
import importlib.util
import runpy
import socket
import sys

VICC_MODULE_DIR = "/usr/lib/python3/site-packages/virtualsmartcard"
if VICC_MODULE_DIR not in sys.path:
    sys.path.insert(0, VICC_MODULE_DIR)


class _CryptoAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serve Crypto and Crypto.* from Cryptodome and Cryptodome.*."""

    def find_spec(self, fullname, path, target=None):
        if fullname == "Crypto" or fullname.startswith("Crypto."):
            if importlib.util.find_spec("Cryptodome" + fullname[len("Crypto"):]) is None:
                return None
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return importlib.import_module("Cryptodome" + spec.name[len("Crypto"):])

    def exec_module(self, module):
        pass


if importlib.util.find_spec("Crypto") is None and importlib.util.find_spec("Cryptodome") is not None:
    sys.meta_path.insert(0, _CryptoAlias())

_QUICKACK = getattr(socket, "TCP_QUICKACK", 12)


class _QuickAckSocket(socket.socket):
    def recv(self, *args, **kwargs):
        data = super().recv(*args, **kwargs)
        if self.type == socket.SOCK_STREAM:
            try:
                self.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            except OSError:
                pass
        return data


socket.socket = _QuickAckSocket

sys.argv[0] = "vicc"
runpy.run_path("/usr/bin/vicc", run_name="__main__")
