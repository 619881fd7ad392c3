"""Fixtures that run the real app in a subprocess and drive it with Debian chromium.

Never ``playwright install``: the Playwright Python package drives /usr/bin/chromium.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from demo_services.issuer import create_app as create_issuer
from demo_services.serving import BackgroundServer, start_in_thread
from demo_services.verifier import create_app as create_verifier
from demo_services.verifier import root_certificate

# pages.py (selectors, typing, screenshots) sits beside this file.
sys.path.insert(0, str(Path(__file__).parent))

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Chromium still phones home despite the flags above; this stops every non-loopback
    # lookup (and Flet's one CDN request for the Rive plugin fails harmlessly).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
STARTUP_TIMEOUT = 30.0


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium); never `playwright install`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots and server logs; EDUWALLET_ARTIFACTS_DIR keeps them for CI."""
    wanted = os.environ.get("EDUWALLET_ARTIFACTS_DIR")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("browser-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class RunningApp:
    url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_http(app: RunningApp) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            pytest.fail(f"app exited with {app.process.returncode}:\n{app.log()}")
        try:
            with urllib.request.urlopen(app.url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"app did not answer HTTP 200 within {STARTUP_TIMEOUT}s:\n{app.log()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # The app runs in its own session/process group: take the whole group down.
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def start_app(
    tmp_path: Path, artifacts_dir: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., RunningApp]]:
    """Start ``python -m app --no-browser`` on a free port with a fresh data dir.

    ``env`` adds environment variables (the test-only switches of app.main); ``data_dir``
    reuses a data dir prepared by the test.
    """
    started: list[RunningApp] = []

    def start(env: dict[str, str] | None = None, data_dir: Path | None = None) -> RunningApp:
        port = _free_port()
        data_dir = data_dir or tmp_path / f"data-{len(started)}"
        log_path = artifacts_dir / f"{request.node.name}-server-{len(started)}.log"
        env = {
            **os.environ,
            "EDUWALLET_TEST_FAST_KDF": "1",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        for name in ("FLET_SERVER_IP", "FLET_SERVER_PORT"):
            env.pop(name, None)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "app",
                    "--port",
                    str(port),
                    "--data-dir",
                    str(data_dir),
                    "--no-browser",
                ],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        app = RunningApp(f"http://127.0.0.1:{port}/", data_dir, log_path, process)
        started.append(app)
        _wait_for_http(app)
        return app

    try:
        yield start
    finally:
        for app in started:
            _stop(app.process)


@pytest.fixture(scope="session")
def issuer_server() -> Iterator[BackgroundServer]:
    """The demo institution on loopback, for the browser tests that need one."""
    with start_in_thread(lambda base: create_issuer(base), name="issuer") as server:
        yield server


@pytest.fixture(scope="session")
def verifier_server(issuer_server: BackgroundServer) -> Iterator[BackgroundServer]:
    """The demo employer: x509_hash + direct_post.jwt (a signed request by reference, an
    encrypted answer), trusting the demo institution."""
    issuer = issuer_server.base_url
    factory = lambda base: create_verifier(  # noqa: E731
        base,
        client_id_prefix="x509_hash",
        response_mode="direct_post.jwt",
        vct_values=[issuer + "/types/microcredential"],
        trusted_issuers=[issuer],
    )
    with start_in_thread(factory, name="verifier") as server:
        yield server


@pytest.fixture
def demo_env(tmp_path: Path, verifier_server: BackgroundServer) -> dict[str, str]:
    """The app may use plain http on loopback and trusts the demo verifier's CA."""
    anchor = root_certificate(verifier_server.app)
    assert anchor is not None
    pem = tmp_path / "verifier-ca.pem"
    pem.write_bytes(anchor.public_bytes(Encoding.PEM))
    return {"EDUWALLET_TEST_ALLOW_HTTP_LOOPBACK": "1", "EDUWALLET_TEST_VERIFIER_CA": str(pem)}
