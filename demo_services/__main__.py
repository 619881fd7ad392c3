"""``eduwallet-demo``: start the local demo services on loopback and print their URLs.

    eduwallet-demo [--issuer-port 8600] [--draft13] [--deferred] [--deferred-delay 5] [--dpop]
                   [--attestation] [--encryption] [--provider-port 8800]
                   [--verifier-port 8700] [--verifier-mode redirect_uri|x509_san_dns|x509_hash]
                   [--verifier-response-mode direct_post|direct_post.jwt]

Each service is a ``Service`` (name, port, app factory, URLs worth printing), started in
list order: the wallet provider first (the issuer, with ``--attestation``, trusts its root),
then the issuer, so the verifier can be told the issuer's URL (it asks for the
issuer's ``vct`` and trusts only that issuer, and for Open Badges its did:web). URLs are
printed with the address a service hands out (``app.state.public_url``): the x509_san_dns
verifier calls itself ``localhost``. Everything binds to loopback only; Ctrl-C (or SIGTERM)
stops all services.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import FrameType

import httpx
from cryptography import x509
from starlette.types import ASGIApp

from demo_services.serving import AppFactory, BackgroundServer, check_loopback, start_in_thread


@dataclass(frozen=True)
class Service:
    name: str
    title: str
    port: int
    factory: AppFactory
    links: tuple[tuple[str, str], ...]  # (label, path) printed after start


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eduwallet-demo",
        description="Run the eduwallet demo services (Hogeschool Demo issuer, Werkgever Demo "
        "verifier) on loopback.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address (default %(default)s)"
    )
    parser.add_argument("--issuer-port", type=int, default=8600, help="default %(default)s")
    parser.add_argument(
        "--draft13", action="store_true", help="speak OpenID4VCI draft 13 instead of 1.0"
    )
    parser.add_argument(
        "--deferred", action="store_true", help="issue through the deferred credential endpoint"
    )
    parser.add_argument(
        "--deferred-delay",
        type=float,
        default=5.0,
        help="seconds until a deferred credential is ready (default %(default)s; "
        "0 = only when approved on the issuer page)",
    )
    parser.add_argument(
        "--dpop",
        action="store_true",
        help="require DPoP with nonces and refuse Bearer tokens, as HAIP 1.0 has it",
    )
    parser.add_argument(
        "--attestation",
        action="store_true",
        help="require wallet and key attestations by the demo wallet provider (HAIP 1.0)",
    )
    parser.add_argument(
        "--encryption",
        action="store_true",
        help="require encrypted credential requests and responses (OpenID4VCI 1.0 §10)",
    )
    parser.add_argument("--provider-port", type=int, default=8800, help="default %(default)s")
    parser.add_argument("--verifier-port", type=int, default=8700, help="default %(default)s")
    parser.add_argument(
        "--verifier-mode",
        choices=("redirect_uri", "x509_san_dns", "x509_hash"),
        default="redirect_uri",
        help="the verifier's client_id prefix (default %(default)s; the x509 modes need the "
        "wallet to trust the verifier's /ca.pem)",
    )
    parser.add_argument(
        "--verifier-response-mode",
        choices=("direct_post", "direct_post.jwt"),
        default="direct_post",
        help="default %(default)s",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def services(args: argparse.Namespace, started: Mapping[str, str] | None = None) -> list[Service]:
    """The services to start, in order. ``started`` maps the names of services already
    running to their URLs; factories read it when called, i.e. after the earlier services
    are up."""
    from demo_services import wallet_provider
    from demo_services.issuer import create_app
    from demo_services.verifier import create_app as create_verifier

    running = started if started is not None else {}

    delay = args.deferred_delay if args.deferred_delay > 0 else None
    issuer = Service(
        name="issuer",
        title="Hogeschool Demo (OpenID4VCI "
        + ("draft 13" if args.draft13 else "1.0")
        + (", deferred" if args.deferred else "")
        + (", DPoP required" if args.dpop else "")
        + (", wallet attestation required" if args.attestation else "")
        + (", encryption required" if args.encryption else "")
        + ")",
        port=args.issuer_port,
        factory=lambda base_url: create_app(
            base_url,
            mode="draft13" if args.draft13 else "1.0",
            deferred=args.deferred,
            deferred_delay=delay,
            dpop=args.dpop,
            encryption=args.encryption,
            wallet_providers=_provider_root(running) if args.attestation else (),
        ),
        links=(
            ("page", "/"),
            ("issuer metadata", "/.well-known/openid-credential-issuer"),
            ("status list", "/status/1"),
            ("did:web", "/.well-known/did.json"),
            ("bitstring list", "/status/bitstring/1"),
        ),
    )

    def verifier_factory(base_url: str) -> ASGIApp:
        issuer_url = running["issuer"]
        return create_verifier(
            base_url,
            client_id_prefix=args.verifier_mode,
            response_mode=args.verifier_response_mode,
            vct_values=[f"{issuer_url}/types/microcredential"],
            trusted_issuers=[issuer_url],
        )

    signed = args.verifier_mode != "redirect_uri"
    verifier = Service(
        name="verifier",
        title=f"Werkgever Demo (OpenID4VP 1.0, {args.verifier_mode}, "
        f"{args.verifier_response_mode})",
        port=args.verifier_port,
        factory=verifier_factory,
        links=(
            ("page", "/"),
            ("open badge check", "/?query=openbadge"),
            ("offline check", "/offline"),
            *((("trust anchor", "/ca.pem"),) if signed else ()),
        ),
    )
    provider = Service(
        name="wallet-provider",
        title="eduwallet demo wallet provider (software keys)",
        port=args.provider_port,
        factory=wallet_provider.create_app,
        links=(("page", "/"), ("trust anchor", "/ca.pem")),
    )
    return [provider, issuer, verifier]


def _provider_root(running: Mapping[str, str]) -> tuple[x509.Certificate, ...]:
    """The root of the wallet provider started just before, as an issuer that trusts it
    would have it configured."""
    pem = httpx.get(f"{running['wallet-provider']}/ca.pem", timeout=10).content
    return (x509.load_pem_x509_certificate(pem),)


def cli(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        check_loopback(args.host)
    except ValueError as exc:
        sys.stderr.write(f"eduwallet-demo: {exc}\n")
        return 2
    running: list[BackgroundServer] = []
    started: dict[str, str] = {}
    try:
        for service in services(args, started):
            server = start_in_thread(
                service.factory,
                name=service.name,
                host=args.host,
                port=service.port,
                log_level="info" if args.verbose else "warning",
                access_log=args.verbose,
            )
            running.append(server)
            base = _public_url(server)
            started[service.name] = base
            sys.stdout.write(f"{service.title}\n")
            for label, path in service.links:
                sys.stdout.write(f"  {label:<16} {base}{path}\n")
    except (OSError, RuntimeError) as exc:
        sys.stderr.write(f"eduwallet-demo: could not start: {exc}\n")
        _stop(running)
        return 1
    sys.stdout.write("Demo student: s1234567 / demo. Press Ctrl-C to stop.\n")
    sys.stdout.flush()
    _wait_for_signal()
    _stop(running)
    return 0


def _public_url(server: BackgroundServer) -> str:
    state = getattr(server.app, "state", None)
    url = getattr(state, "public_url", None)
    return url if isinstance(url, str) else server.base_url


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Both handled explicitly: a shell starting us in the background ignores SIGINT, and
    # Python then never raises KeyboardInterrupt.
    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(running: list[BackgroundServer]) -> None:
    for server in reversed(running):
        server.stop()


if __name__ == "__main__":
    sys.exit(cli())
