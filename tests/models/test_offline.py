"""The offline guarantee: no connection leaves the machine, in this process or its children.

``tests/offline/sitecustomize.py`` is the guard; ``conftest.py`` installs it here and
the ``tests`` and ``docs`` nox sessions put it in every child Python (pages' kernels,
scripts, the CLI) through ``PYTHONPATH``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from conftest import guard

REMOTE = ("198.51.100.7", 443)  # TEST-NET-2: never routed, so nothing is ever sent


def _child(
    code: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


class _EchoServer:
    """A loopback TCP server answering one connection with b"ok"."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.sendall(b"ok")
        self.sock.close()


class TestGuardInThisProcess:
    def test_remote_connection_is_refused(self) -> None:
        """A connection to a remote address raises before any packet is sent."""
        with pytest.raises(guard.NetworkBlockedError, match="offline guard"):
            socket.create_connection(REMOTE, timeout=5)

    def test_remote_name_lookup_is_refused(self) -> None:
        """Looking up a remote host name (the hub's) is refused: a lookup is traffic too."""
        with pytest.raises(guard.NetworkBlockedError, match=r"huggingface\.co"):
            socket.getaddrinfo("huggingface.co", 443)

    def test_udp_to_remote_is_refused(self) -> None:
        """A datagram to a remote address is refused like a connection."""
        with (
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
            pytest.raises(guard.NetworkBlockedError),
        ):
            udp.sendto(b"x", REMOTE)

    def test_loopback_still_works(self) -> None:
        """Loopback stays open: kernels, torchrun and the browser test use it."""
        server = _EchoServer()
        with socket.create_connection(("localhost", server.port), timeout=5) as conn:
            assert conn.recv(2) == b"ok"


class TestGuardInChildren:
    def test_child_python_is_guarded(self, offline_env: dict[str, str]) -> None:
        """A Python started by the suite refuses remote connections at once."""
        result = _child(
            f"""
            import socket
            socket.create_connection({REMOTE!r}, timeout=30)
            """,
            offline_env,
        )
        assert result.returncode != 0
        assert "NetworkBlockedError" in result.stderr
        assert "offline guard" in result.stderr

    def test_child_keeps_loopback(self, offline_env: dict[str, str]) -> None:
        """The guard in a child leaves loopback open."""
        server = _EchoServer()
        result = _child(
            f"""
            import socket
            with socket.create_connection(("127.0.0.1", {server.port}), timeout=5) as c:
                print(c.recv(2).decode())
            """,
            offline_env,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "ok"

    @pytest.mark.models
    def test_hub_request_fails_without_network(self, offline_env: dict[str, str]) -> None:
        """Even with the hub's offline switch off, a request to the hub is refused by the guard."""
        env = {k: v for k, v in offline_env.items() if not k.endswith("_OFFLINE")}
        result = _child(
            """
            from huggingface_hub import get_session  # the client hf_hub_download uses
            url = "https://huggingface.co/google-bert/bert-base-uncased/resolve/main/config.json"
            try:
                get_session().head(url)
            except Exception as err:
                print(repr(err))
            else:
                raise SystemExit("the hub answered: the guard did not hold")
            """,
            env,
        )
        assert result.returncode == 0, result.stderr
        assert "offline guard" in result.stdout

    @pytest.mark.models
    def test_offline_hub_name_fails_fast(self, offline_env: dict[str, str]) -> None:
        """With the sessions' offline switches, a hub name fails within seconds, not a time-out."""
        start = time.perf_counter()
        result = _child(
            """
            from nlpguide.models import encoder
            try:
                encoder("google-bert/bert-base-uncased")
            except OSError as err:
                print(type(err).__name__)
            """,
            offline_env,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip()
        assert time.perf_counter() - start < 60
