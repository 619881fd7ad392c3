"""``eduwallet-demo``: loopback only, starts the issuer, prints URLs, stops on SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from demo_services.__main__ import cli
from demo_services.serving import check_loopback, start_in_thread

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])  # noqa: S104
def test_refuses_non_loopback_hosts(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--host", host]) == 2
    assert "loopback" in capsys.readouterr().err
    with pytest.raises(ValueError, match="loopback"):
        check_loopback(host)
    with pytest.raises(ValueError, match="loopback"):
        start_in_thread(lambda base: None, host=host)  # type: ignore[arg-type, return-value]


def test_starts_prints_urls_and_stops() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "demo_services",
            "--issuer-port",
            "0",
            "--verifier-port",
            "0",
            "--provider-port",
            "0",
            "--deferred",
            "--attestation",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Ctrl-C" in line or not line:
                break
        text = "".join(lines)
        assert "Hogeschool Demo (OpenID4VCI 1.0, deferred, wallet attestation required)" in text
        after = lines[next(i for i, line in enumerate(lines) if "Hogeschool Demo" in line) :]
        page = next(line.split()[-1] for line in after if line.strip().startswith("page"))
        assert "eduwallet demo wallet provider (software keys)" in text
        assert page.startswith("http://127.0.0.1:")
        assert httpx.get(page, timeout=5).status_code == 200
        metadata = httpx.get(page + ".well-known/openid-credential-issuer", timeout=5).json()
        assert metadata["credential_issuer"] == page.rstrip("/")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(
    ("flag", "setting", "title"),
    [("--dpop", "dpop", "DPoP required"), ("--encryption", "encryption", "encryption required")],
)
def test_a_haip_flag_makes_the_issuer_require_it(flag: str, setting: str, title: str) -> None:
    from demo_services.__main__ import _parser, services

    for flags, required in (([], False), ([flag], True)):
        [issuer] = [s for s in services(_parser().parse_args(flags)) if s.name == "issuer"]
        app = issuer.factory("http://127.0.0.1:8600")
        assert getattr(app.state.issuer.settings, setting) is required
        assert (title in issuer.title) is required
