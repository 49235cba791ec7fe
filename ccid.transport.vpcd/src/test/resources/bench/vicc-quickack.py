# Runs Debian's vicc (vsmartcard-vpicc 0.8) as a benchmark peer: usage: python3 vicc-quickack.py HOST PORT
# Works around two packaging problems (module outside sys.path; it imports PyCrypto's "Crypto" while Debian ships
# pycryptodome as "Cryptodome") and sets TCP_QUICKACK after every recv() (else vpcd stalls about 40 ms per APDU).
import importlib
import importlib.abc
import importlib.util
import socket
import sys

sys.path.insert(0, "/usr/lib/python3/site-packages/virtualsmartcard")


class _CryptoAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name == "Crypto" or name.startswith("Crypto."):
            return importlib.util.spec_from_loader(name, self, is_package=True)
        return None

    def create_module(self, spec):
        return importlib.import_module("Cryptodome" + spec.name[len("Crypto"):])

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _CryptoAlias())

_recv = socket.socket.recv


def _recv_quickack(self, *args, **kwargs):
    data = _recv(self, *args, **kwargs)
    try:
        self.setsockopt(socket.IPPROTO_TCP, 12, 1)  # TCP_QUICKACK
    except OSError:
        pass
    return data


socket.socket.recv = _recv_quickack

from virtualsmartcard.VirtualSmartcard import VirtualICC  # noqa: E402

VirtualICC(None, "iso7816", sys.argv[1], int(sys.argv[2])).run()
