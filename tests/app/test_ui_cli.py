"""Command-line wiring: arguments, data dir, the test-only fast KDF, the loopback server."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import platformdirs
import pytest

from app import main as cli_main
from app.config import AppConfig
from app.settings import AppSettings, load_settings, save_settings


def test_defaults() -> None:
    args = cli_main.parse_args([])
    config = cli_main.make_config(args, {})
    assert args.port == 8550 and not args.no_browser
    assert config.data_dir == Path(platformdirs.user_data_dir("eduwallet", appauthor=False))
    assert config.vault_dir == config.data_dir / "wallet"
    assert config.settings_path == config.data_dir / "app-settings.json"
    assert config.create_kdf() is None  # production KDF cost


def test_options_and_fast_kdf_switch(tmp_path: Path) -> None:
    args = cli_main.parse_args(["--port", "9001", "--data-dir", str(tmp_path), "--no-browser"])
    config = cli_main.make_config(args, {"EDUWALLET_TEST_FAST_KDF": "1"})
    assert (args.port, args.no_browser, config.data_dir) == (9001, True, tmp_path.resolve())
    assert config.fast_kdf and config.create_kdf() is not None
    assert not cli_main.make_config(args, {"EDUWALLET_TEST_FAST_KDF": "0"}).fast_kdf


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_bad_port_is_a_usage_error(port: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli_main.parse_args(["--port", port])
    assert exc.value.code == 2


def test_server_is_loopback_only_and_guarded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.local_guard import LocalOnly

    monkeypatch.setenv("FLET_SERVER_IP", "0.0.0.0")  # noqa: S104 - what must not matter
    monkeypatch.setenv("FLET_SERVER_PORT", "80")
    server = cli_main.make_server(AppConfig(tmp_path), 9123)
    assert (server.config.host, server.config.port) == ("127.0.0.1", 9123)
    assert isinstance(server.config.app, LocalOnly)
    assert server.config.app.hosts == {"127.0.0.1:9123", "localhost:9123"}


def test_busy_port_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        code = cli_main.cli(["--port", str(port), "--data-dir", str(tmp_path), "--no-browser"])
    assert code == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


def test_settings_round_trip_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "app-settings.json"
    assert load_settings(path) == AppSettings()
    save_settings(path, AppSettings(locale="nl"))
    assert json.loads(path.read_text("utf-8")) == {"locale": "nl"}
    assert load_settings(path).locale == "nl"
    path.write_text("{ broken", encoding="utf-8")
    assert load_settings(path) == AppSettings()
    path.write_text('{"locale": "xx"}', encoding="utf-8")
    assert load_settings(path).locale is None


def test_config_is_plain_data(tmp_path: Path) -> None:
    assert AppConfig(tmp_path) == AppConfig(tmp_path, fast_kdf=False)


def _open_in_wallet(page: str) -> str:
    import html
    import re

    found = re.search(r"id='open-in-wallet' href='([^']*)'", page)
    assert found, "no Open in wallet button"
    return html.unescape(found.group(1))


def test_demo_mode_starts_the_demo_services_and_allows_loopback(tmp_path: Path) -> None:
    from urllib.parse import parse_qs, urlsplit

    import httpx
    from helpers import PIN

    from app.main import make_config, parse_args, start_demo, with_demo
    from app.vault import create_wallet

    args = parse_args(["--demo", "--data-dir", "/tmp/eduwallet-demo-test"])
    assert make_config(args, {}).allow_http_loopback
    assert not make_config(parse_args([]), {}).allow_http_loopback
    servers = start_demo(wallet_url="http://127.0.0.1:8550/")
    try:
        issuer, verifier, provider = servers
        assert (
            httpx.get(f"{issuer.base_url}/.well-known/openid-credential-issuer").status_code == 200
        )
        # "Open in wallet" opens the app beside the demo, with the link for it to act on
        offer_page = httpx.get(f"{issuer.base_url}/offer/mc-circulair-ontwerpen").text
        opened = _open_in_wallet(offer_page)
        assert opened.startswith("http://127.0.0.1:8550/?offer=openid-credential-offer%3A%2F%2F")
        employer = httpx.get(f"{verifier.base_url}/")
        assert employer.status_code == 200
        opened = _open_in_wallet(employer.text)
        assert opened.startswith("http://127.0.0.1:8550/?request=openid4vp%3A%2F%2F")
        # The employer signs its requests under a root the demo wallet trusts, so the app
        # names it by its certificate, confirmed (not "127.0.0.1 - not confirmed").
        config = with_demo(make_config(args, {}), servers)
        config = dataclasses.replace(config, data_dir=tmp_path, fast_kdf=True)
        with create_wallet(config, PIN) as wallet:
            [link] = parse_qs(urlsplit(opened).query)["request"]
            request = wallet.parse_presentation_request(link)
        assert request.verifier.verified
        assert request.verifier.name == "Werkgever Demo"
        assert config.demo_verifier_url == f"{verifier.base_url}/"
        assert "software keys" in httpx.get(f"{provider.base_url}/").text
        assert not issuer.app.state.issuer.settings.dpop
    finally:
        for server in servers:
            server.stop()


def test_haip_demo_makes_the_issuer_strict_and_the_apps_wallet_receives(tmp_path: Path) -> None:
    """What ``--demo --haip`` starts works together: the issuer trusts the provider the app's
    wallet is attested by, and a wallet with that provider receives."""
    import httpx
    from cryptography.hazmat.primitives.serialization import Encoding
    from demo_admin import Admin
    from helpers import PIN

    from app.main import parse_args, start_demo
    from wallet_core import KdfParams, StoredCredential, Wallet

    with pytest.raises(SystemExit):
        parse_args(["--haip"])  # only with --demo
    assert parse_args(["--demo", "--haip"]).haip
    servers = start_demo(haip=True)
    try:
        issuer, _, provider = servers
        settings = issuer.app.state.issuer.settings
        assert settings.dpop and settings.encryption
        [root] = settings.wallet_providers
        assert root.public_bytes(Encoding.PEM) == httpx.get(f"{provider.base_url}/ca.pem").content
        admin = Admin(issuer)
        options = {"allow_http_loopback": True, "wallet_provider": provider.base_url}
        kdf = KdfParams.fast_for_tests()
        with Wallet.create(tmp_path / "wallet", PIN, kdf=kdf, **options) as wallet:
            [stored] = wallet.accept_offer(wallet.parse_offer(admin.offer()["offer_link"]))
            assert isinstance(stored, StoredCredential)
        admin.http.close()
    finally:
        for server in servers:
            server.stop()
