"""The guard that keeps tests off the network really stops a connection, here and in a child `mcu`."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import guarded_environment

# 192.0.2.0/24 is TEST-NET-1: reserved for documentation; the guard refuses before any packet is sent.
OUTSIDE = ("192.0.2.1", 443)


def test_outbound_connection_is_refused_in_tests() -> None:
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match="не выходят в сеть"):
        sock.connect(OUTSIDE)


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.socket() as client:
            client.connect(server.getsockname())


def test_child_processes_are_guarded_too(tmp_path: Path) -> None:
    code = "import socket; s = socket.socket(); s.connect(('192.0.2.1', 443))"
    result = subprocess.run([sys.executable, "-c", code], env=guarded_environment(), capture_output=True, text=True,
                            cwd=tmp_path, timeout=30)
    assert result.returncode != 0 and "не выходят в сеть" in result.stderr
