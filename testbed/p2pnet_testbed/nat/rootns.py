"""Listen in another network namespace than the process's own (here: the supervisor's),
so a peer in a NAT namespace still serves /metrics where Prometheus scrapes.

setns(2) switches only the calling thread; the socket is created and bound in the other
namespace and the thread switches straight back, with nothing else running in between
(no await), so no other socket of the process is ever made there. A socket keeps the
namespace it was created in.
"""

from __future__ import annotations

import ctypes
import os
import socket

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def listen_in(netns_path: str, host: str, port: int = 0) -> socket.socket:
    """A listening TCP socket on ``host:port`` inside the namespace at ``netns_path``."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(netns_path, os.O_RDONLY)
    try:
        _setns(target)
        try:
            sock = socket.create_server((host, port), reuse_port=False)
        finally:
            try:
                _setns(own)
            except OSError:  # stuck in the wrong namespace: never carry on like that
                os._exit(70)
        sock.setblocking(False)
        return sock
    finally:
        os.close(own)
        os.close(target)
