"""Fails any outbound connection that is not loopback; loaded by every test and every `mcu` the tests start.

Subprocesses get it through ``PYTHONPATH`` (Python imports ``sitecustomize`` at start-up).
"""

from __future__ import annotations

import ipaddress
import socket

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def allowed(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # unix sockets (PostgreSQL's local socket, for one)
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _connect(self: socket.socket, address: object) -> None:
    if not allowed(address):
        raise ConnectionRefusedError(f"тесты не выходят в сеть: попытка соединения с {address!r}")
    return _real_connect(self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    if not allowed(address):
        raise ConnectionRefusedError(f"тесты не выходят в сеть: попытка соединения с {address!r}")
    return _real_connect_ex(self, address)


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]


install()
