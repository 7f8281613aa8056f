"""Block every connection outside loopback, in this process and every Python it starts.

The project promises to work offline. The test suite installs this guard in its
own process (``tests/conftest.py``); the ``tests`` and ``docs`` nox sessions put
this folder on ``PYTHONPATH`` with ``NLPGUIDE_BLOCK_NETWORK=1``, so Python runs
this file at start-up in every child too: the Jupyter kernels that execute the
pages, the example scripts and the CLI. A hub download attempted anywhere fails
at once with :class:`NetworkBlockedError` instead of waiting on a time-out.

Loopback stays open: Jupyter kernels, ``torchrun``'s rendezvous and the browser
test's local web server all talk over it.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

ENV_FLAG = "NLPGUIDE_BLOCK_NETWORK"
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_real_getaddrinfo = socket.getaddrinfo


class NetworkBlockedError(ConnectionRefusedError):
    """A connection outside loopback was attempted while the network guard is on."""


def is_loopback(address: object) -> bool:
    """Whether ``address`` (a socket address of any family) stays on this machine.

    >>> is_loopback(("127.0.0.1", 80)), is_loopback(("::1", 80, 0, 0)), is_loopback("/tmp/s")
    (True, True, True)
    >>> is_loopback(("localhost", 8000)), is_loopback(("198.51.100.7", 443))
    (True, False)
    """
    if isinstance(address, str | bytes):  # a Unix socket path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return str(host) == "localhost"


def _check(address: object) -> None:
    if not is_loopback(address):
        raise NetworkBlockedError(f"network access blocked (offline guard): {address!r}")


def _is_local_name(host: object) -> bool:
    if host is None or host in ("", "localhost", b"localhost"):
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name == socket.gethostname():
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback or name in ("0.0.0.0", "::")
    except ValueError:
        return False


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    # A name lookup is already traffic (to the resolver): refuse it for remote names.
    if not _is_local_name(host):
        raise NetworkBlockedError(f"name lookup blocked (offline guard): {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(address)
    return _real_connect_ex(self, address)


def _guarded_sendto(self: socket.socket, data: Any, *args: Any) -> int:
    _check(args[-1])  # sendto(data, address) or sendto(data, flags, address)
    return _real_sendto(self, data, *args)


def install() -> None:
    """Route name lookups and ``connect``, ``connect_ex``, ``sendto`` through the guard."""
    socket.getaddrinfo = _guarded_getaddrinfo
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
    socket.socket.sendto = _guarded_sendto  # type: ignore[method-assign,assignment]


if os.environ.get(ENV_FLAG) == "1":
    install()
