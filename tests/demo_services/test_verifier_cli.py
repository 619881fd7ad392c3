"""``eduwallet-demo`` starts the verifier next to the issuer, wired to trust it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from demo_services.issuer.client import DemoIssuerClient
from wallet_core.crypto import generate

from .verifier_fixtures import REQUIRED, Held, ScriptedHolder

ROOT = Path(__file__).resolve().parents[2]


def _links(lines: list[str], title: str) -> dict[str, str]:
    """The ``label  url`` lines printed under the service whose title starts with ``title``."""
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    links = {}
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        label, url = line.strip().rsplit(" ", 1)
        links[label.strip()] = url
    return links


def test_demo_starts_issuer_and_verifier() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "-m",
        "demo_services",
        "--issuer-port",
        "0",
        "--verifier-port",
        "0",
        "--verifier-mode",
        "x509_san_dns",
        "--verifier-response-mode",
        "direct_post.jwt",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Ctrl-C" in line or not line:
                break
        issuer = _links(lines, "Hogeschool Demo")
        verifier = _links(lines, "Werkgever Demo (OpenID4VP 1.0, x509_san_dns, direct_post.jwt)")
        assert verifier["page"].startswith("http://localhost:")  # the name it certifies
        assert verifier["trust anchor"].endswith("/ca.pem")
        with httpx.Client(timeout=5) as http:
            assert http.get(verifier["page"]).status_code == 200
            assert http.get(verifier["offline check"]).status_code == 200
            assert b"BEGIN CERTIFICATE" in http.get(verifier["trust anchor"]).content
            # the verifier asks for the issuer's type and trusts the issuer
            base = verifier["page"].rstrip("/")
            issuer_base = issuer["page"].rstrip("/")
            holder_key = generate("ES256")
            [credential] = DemoIssuerClient(issuer_base, http).issue(
                "mc-data-analyse-python", [holder_key]
            )
            tx = http.post(base + "/admin/transactions", json={}).json()
            holder = ScriptedHolder(http)
            params = holder.request(tx)
            held = Held(credential, holder_key)
            assert holder.answer(params, holder.present(held, params, REQUIRED)).status_code == 200
            status = http.get(f"{base}/admin/transactions/{tx['transaction_id']}").json()
            assert status["status"] == "verified"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
