"""Test-wide guards: nothing in the suite may reach the network."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

try:  # `nox -s browser` runs without hypothesis: it has no property tests
    from hypothesis import settings
except ImportError:
    pass
else:
    # Property tests draw the same examples on every run: a CI failure reproduces here.
    settings.register_profile("nlpguide", derandomize=True, database=None, print_blob=False)
    settings.load_profile("nlpguide")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

#: The folder whose ``sitecustomize.py`` guards child processes (see that file).
OFFLINE_DIR = Path(__file__).parent / "offline"


def _load_guard():
    # One guard module per process: tests that import it (test_offline.py) see this one.
    if "_nlpguide_offline" in sys.modules:
        return sys.modules["_nlpguide_offline"]
    spec = importlib.util.spec_from_file_location(
        "_nlpguide_offline", OFFLINE_DIR / "sitecustomize.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_nlpguide_offline"] = module
    spec.loader.exec_module(module)
    return module


guard = _load_guard()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection outside loopback: the project promises to work offline."""
    monkeypatch.setattr(socket.socket, "connect", guard._guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guard._guarded_connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", guard._guarded_sendto)
    monkeypatch.setattr(socket, "getaddrinfo", guard._guarded_getaddrinfo)


@pytest.fixture
def hide_package(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """A function that makes one top-level package look not installed (find_spec: None)."""
    real = importlib.util.find_spec

    def hide(package: str) -> None:
        monkeypatch.setattr(
            importlib.util,
            "find_spec",
            lambda name, *a: None if name == package else real(name, *a),
        )

    return hide


@pytest.fixture(scope="session")
def offline_env() -> dict[str, str]:
    """The environment for a child process: offline, with the network guard installed."""
    env = dict(os.environ)
    env.update({guard.ENV_FLAG: "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(OFFLINE_DIR), env.get("PYTHONPATH")) if p)
    return env
