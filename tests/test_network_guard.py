"""The guard itself: network sockets are refused, AF_UNIX is allowed."""

import socket
import subprocess
import sys

import pytest

from conftest import REPO, netguard


def test_inet_socket_is_refused_in_process(tmp_path, monkeypatch):
    log = tmp_path / "log"
    monkeypatch.setenv("TRELLIS_NETGUARD_LOG", str(log))
    with pytest.raises(netguard.NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9), timeout=0.1)
    assert "opened a socket of family" in log.read_text()


def test_unix_socket_pair_is_allowed():
    left, right = socket.socketpair(socket.AF_UNIX)
    left.sendall(b"ok")
    assert right.recv(2) == b"ok"
    left.close(), right.close()


def test_child_processes_are_guarded_too(tmp_path, monkeypatch):
    log = tmp_path / "child.log"
    monkeypatch.setenv("TRELLIS_NETGUARD_LOG", str(log))
    code = "import socket; socket.socket(socket.AF_INET6, socket.SOCK_STREAM)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0
    assert "NetworkBlocked" in result.stderr
    assert "AddressFamily.AF_INET6" in log.read_text()
