"""``eduwallet [--port N] [--data-dir DIR] [--no-browser] [--demo]`` (also ``python -m app``).

``--demo`` also starts the local demo institution (issuer) and employer (verifier) on
loopback and lets this app's wallet talk plain http to them, so a newcomer can receive and
present within a minute. It is a demonstration mode: the same loopback relaxation as the
test switch below.

Wiring only: parse arguments, settle the data dir, serve ``app.session``.

The UI is served over plain HTTP, always on 127.0.0.1 only, with Flet's bundled web client
(``no_cdn=True``) so it works offline. We run Flet's ASGI app under uvicorn ourselves
(rather than ``ft.run``) so that ``app.local_guard`` stands in front of it: only the app's
own page may talk to it, not any web page the student happens to visit.

Environment, read here at start-up and never by wallet_core:

``EDUWALLET_TEST_FAST_KDF=1``
    TEST ONLY. New vaults are created with ``KdfParams.fast_for_tests()``, a deliberately
    weak PIN stretching, so browser tests do not spend ~0.4 s per create/unlock. Never set
    it for a real wallet: a stolen vault made this way can be brute-forced quickly. A vault
    keeps the KDF it was created with, so the switch has no effect on existing vaults.

``EDUWALLET_TEST_ALLOW_HTTP_LOOPBACK=1``
    TEST ONLY. The wallet may talk plain ``http://`` to 127.0.0.0/8 and ``localhost``, so
    tests and the demo can use the loopback demo issuer. Never set it for a real wallet:
    without TLS nothing vouches for who answered.

``EDUWALLET_TEST_VERIFIER_CA=<path to a PEM file>``
    TEST ONLY. The certificates in that file are trusted as roots for verifier
    certificates (``x509_san_dns`` / ``x509_hash`` client ids), so tests and the demo can use
    the demo verifier's own CA (its ``/ca.pem``). Never set it for a real wallet: whoever
    holds that CA's key can then pose as any verifier.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import platformdirs

from app.config import AppConfig

HOST = "127.0.0.1"
DEFAULT_PORT = 8550
FAST_KDF_ENV = "EDUWALLET_TEST_FAST_KDF"
HTTP_LOOPBACK_ENV = "EDUWALLET_TEST_ALLOW_HTTP_LOOPBACK"
VERIFIER_CA_ENV = "EDUWALLET_TEST_VERIFIER_CA"
_TRUE = frozenset({"1", "true", "yes"})

log = logging.getLogger("app")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="eduwallet",
        description="A personal credential wallet for diplomas and microcredentials.",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on {HOST} (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the wallet and app settings live (default: the per-user data directory)",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="only serve the app; do not open a browser (for tests and CI)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="also start the demo issuer and verifier on loopback (demonstration only)",
    )
    parser.add_argument(
        "--haip",
        action="store_true",
        help="with --demo: the demo issuer requires DPoP, wallet and key attestation and "
        "encryption, as a HAIP 1.0 issuer may",
    )
    args = parser.parse_args(argv)
    if args.haip and not args.demo:
        parser.error("--haip goes with --demo")
    if not 0 < args.port < 65536:
        parser.error("--port must be between 1 and 65535")
    return args


def make_config(args: argparse.Namespace, environ: Mapping[str, str]) -> AppConfig:
    data_dir = args.data_dir or Path(platformdirs.user_data_dir("eduwallet", appauthor=False))
    return AppConfig(
        data_dir=data_dir.expanduser().resolve(),
        fast_kdf=environ.get(FAST_KDF_ENV, "") in _TRUE,
        allow_http_loopback=bool(getattr(args, "demo", False))
        or environ.get(HTTP_LOOPBACK_ENV, "") in _TRUE,
        verifier_trust_anchors=_verifier_anchors(environ.get(VERIFIER_CA_ENV, "")),
    )


def _verifier_anchors(path: str) -> tuple[Any, ...]:
    """Test-only roots from a PEM file (EDUWALLET_TEST_VERIFIER_CA); none when unset."""
    if not path:
        return ()
    from cryptography import x509

    return tuple(x509.load_pem_x509_certificates(Path(path).expanduser().read_bytes()))


def cli(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = make_config(args, os.environ)
    except (OSError, ValueError) as exc:
        return _fail(f"cannot read {VERIFIER_CA_ENV}: {exc}")
    try:
        config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        return _fail(f"cannot use data dir {config.data_dir}: {exc.strerror}")
    if problem := _port_problem(args.port):
        return _fail(f"cannot listen on {HOST}:{args.port}: {problem}")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    # Flet's transport logs every control property at DEBUG, typed PINs included.
    logging.getLogger("flet_transport").setLevel(logging.INFO)
    if config.fast_kdf:
        log.warning("%s is set: new wallets get a WEAK test-only KDF", FAST_KDF_ENV)
    if args.demo:
        log.warning("demo mode: plain http to the loopback demo services is allowed")
    elif config.allow_http_loopback:
        log.warning("%s is set: plain http to loopback is allowed (tests only)", HTTP_LOOPBACK_ENV)
    if config.verifier_trust_anchors:
        log.warning("%s is set: extra verifier roots are trusted (tests only)", VERIFIER_CA_ENV)

    wallet_url = f"http://{HOST}:{args.port}/"
    demo = start_demo(haip=args.haip, wallet_url=wallet_url) if args.demo else []
    if demo:
        config = with_demo(config, demo)
    log.info("eduwallet on http://%s:%d/ (data in %s)", HOST, args.port, config.data_dir)

    from app.state import close_all_wallets

    server = make_server(config, args.port)
    if not args.no_browser:
        threading.Thread(target=_open_when_started, args=(server, args.port), daemon=True).start()
    try:
        server.run()
    finally:
        close_all_wallets()
        for service in demo:
            service.stop()
    return 0


def make_server(config: AppConfig, port: int) -> Any:
    """uvicorn serving the Flet app on 127.0.0.1:port behind the local-only guard."""
    import flet as ft  # import late: --help and argument errors should not pay for it
    import uvicorn

    from app.local_guard import LocalOnly
    from app.session import make_main

    flet_app = ft.run(make_main(config), export_asgi_app=True, no_cdn=True, assets_dir=None)
    return uvicorn.Server(
        uvicorn.Config(
            LocalOnly(flet_app, port=port),
            host=HOST,
            port=port,
            ws="websockets-sansio",
            log_level="warning",
            timeout_graceful_shutdown=2,  # open tabs must not hold up a shutdown
        )
    )


def _open_when_started(server: Any, port: int) -> None:
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    if server.started:
        webbrowser.open(f"http://{HOST}:{port}/")


def start_demo(*, haip: bool = False, wallet_url: str | None = None) -> list[Any]:
    """The demo issuer, verifier and wallet provider on loopback, at their fixed default
    ports when those are free (so a bookmark keeps working), else on free ones; their pages
    are logged and link "Open in wallet" to ``wallet_url``. ``haip``: the issuer requires
    DPoP, attestations by this wallet provider and encrypted requests and responses."""
    import httpx
    from cryptography import x509

    from demo_services import wallet_provider
    from demo_services.issuer import DEFAULT_PORT as ISSUER_PORT
    from demo_services.issuer import create_app as create_issuer
    from demo_services.serving import start_in_thread
    from demo_services.verifier import DEFAULT_PORT as VERIFIER_PORT
    from demo_services.verifier import create_app as create_verifier

    def port(default: int) -> int:
        return 0 if _port_problem(default) else default

    provider = start_in_thread(
        wallet_provider.create_app, name="wallet-provider", port=port(wallet_provider.DEFAULT_PORT)
    )
    strict: dict[str, Any] = {}
    if haip:
        root = httpx.get(f"{provider.base_url}/ca.pem", timeout=10).content
        strict = {
            "dpop": True,
            "encryption": True,
            "wallet_providers": (x509.load_pem_x509_certificate(root),),
        }
    issuer = start_in_thread(
        lambda base: create_issuer(base, wallet_url=wallet_url, **strict),
        name="issuer",
        port=port(ISSUER_PORT),
    )
    verifier = start_in_thread(
        lambda base: create_verifier(
            base,
            client_id_prefix="x509_hash",  # signed, so the wallet can name the employer
            vct_values=[f"{issuer.base_url}/types/microcredential"],
            trusted_issuers=[issuer.base_url],
            wallet_url=wallet_url,
        ),
        name="verifier",
        port=port(VERIFIER_PORT),
    )
    log.info("demo institution (issuer): %s/%s", issuer.base_url, " (HAIP)" if haip else "")
    log.info("demo employer (verifier):  %s/", verifier.base_url)
    log.info("demo wallet provider:      %s/", provider.base_url)
    return [issuer, verifier, provider]


def with_demo(config: AppConfig, demo: Sequence[Any]) -> AppConfig:
    """``config`` pointed at the demo services ``start_demo`` returned: their pages, the
    wallet provider, and the demo employer's root as a verifier trust anchor, so its signed
    requests show its name as confirmed."""
    from demo_services.verifier import root_certificate

    issuer, verifier, provider = demo
    root = root_certificate(verifier.app)
    return dataclasses.replace(
        config,
        demo_issuer_url=f"{issuer.base_url}/",
        demo_verifier_url=f"{verifier.base_url}/",
        wallet_provider=provider.base_url,
        verifier_trust_anchors=(*config.verifier_trust_anchors, *([root] if root else [])),
    )


def _fail(message: str) -> int:
    print(f"eduwallet: {message}", file=sys.stderr)  # noqa: T201 - a CLI error, before logging
    return 2


def _port_problem(port: int) -> str | None:
    # Check up front so that a busy port is one clear line, not a uvicorn traceback.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None
