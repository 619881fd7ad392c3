"""wallet_core.http: every rule of the network policy (DESIGN §6), through MockTransport,
plus a real server on loopback for the parts a mock cannot show (sockets, deadlines, DNS)."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from wallet_core import http
from wallet_core.errors import (
    HttpStatusError,
    InsecureUrlError,
    NetworkError,
    ResponseTooLargeError,
    TimeoutError_,
    UnexpectedContentTypeError,
    WalletError,
)
from wallet_core.http import HttpClient, HttpPolicy

STRICT = HttpPolicy()
DEV = HttpPolicy(allow_http_loopback=True)

Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler, policy: HttpPolicy = STRICT) -> HttpClient:
    return HttpClient(policy, transport=httpx.MockTransport(handler))


def json_response(value: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(value).encode(),
        headers={"content-type": "application/json", **headers},
    )


# -- check_url ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://issuer.example/.well-known/jwt-vc-issuer",
        "https://issuer.example:8443/x?y=1",
        "https://93.184.215.14/",
        "https://[2606:4700::1111]/",
    ],
)
def test_https_to_public_hosts_is_allowed(url: str) -> None:
    assert http.check_url(url, STRICT).scheme == "https"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/", "http://127.9.8.7/", "http://[::1]:9/", "http://localhost/x"],
)
def test_http_to_loopback_needs_the_flag(url: str) -> None:
    with pytest.raises(InsecureUrlError):
        http.check_url(url, STRICT)
    assert http.check_url(url, DEV).scheme == "http"


@pytest.mark.parametrize(
    "url",
    [
        "http://issuer.example/",
        "http://10.0.0.1/",
        "http://192.168.1.10/",
        "http://127.0.0.1.nip.io/",
        "http://localhost.example/",
    ],
)
def test_http_to_other_hosts_is_refused_even_with_the_flag(url: str) -> None:
    with pytest.raises(InsecureUrlError):
        http.check_url(url, DEV)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://issuer.example/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:application/json,{}",
        "//issuer.example/x",
        "issuer.example/x",
        "https:///x",
        "https://issuer.example:99999/",
    ],
)
def test_other_schemes_and_broken_urls_are_refused(url: str) -> None:
    with pytest.raises(InsecureUrlError):
        http.check_url(url, DEV)


@pytest.mark.parametrize(
    "url",
    ["https://user:pw@issuer.example/", "https://user@issuer.example/", "http://a@127.0.0.1/"],
)
def test_userinfo_is_refused(url: str) -> None:
    with pytest.raises(InsecureUrlError):
        http.check_url(url, DEV)


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/",
        "https://172.16.0.1/",
        "https://192.168.0.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/",
        "https://[fd00::1]/",
        "https://[fe80::1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://0.0.0.0/",
    ],
)
def test_https_to_private_addresses_is_refused(url: str) -> None:
    with pytest.raises(InsecureUrlError):
        http.check_url(url, DEV)


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1/", "https://localhost/", "https://a.localhost/"]
)
def test_https_to_loopback_also_needs_the_flag(url: str) -> None:
    with pytest.raises(InsecureUrlError):
        http.check_url(url, STRICT)
    http.check_url(url, DEV)


def test_error_messages_do_not_repeat_query_strings() -> None:
    with pytest.raises(InsecureUrlError) as caught:
        http.check_url("http://issuer.example/cb?code=SECRET-CODE#frag", STRICT)
    assert "SECRET-CODE" not in str(caught.value)


# -- helpers over MockTransport ----------------------------------------------------------


def test_get_json_sends_accept_and_returns_the_document() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({"issuer": "https://issuer.example"})

    with client_for(handler) as client:
        value = client.get_json("https://issuer.example/meta")
    assert value == {"issuer": "https://issuer.example"}
    assert seen[0].headers["accept"] == "application/json"
    assert seen[0].method == "GET"


def test_get_text_and_bytes_check_the_declared_type() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b"eyJ.a.b", headers={"content-type": "application/statuslist+jwt"}
        )

    with client_for(handler) as client:
        accept = "application/statuslist+jwt"
        assert client.get_text("https://s.example/1", accept=accept) == "eyJ.a.b"
        assert client.get_bytes("https://s.example/1", accept=accept) == b"eyJ.a.b"
        with pytest.raises(UnexpectedContentTypeError):
            client.get_text("https://s.example/1", accept="application/jwt")


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("Application/JSON", True),
        ("application/jwk-set+json", True),
        ("text/html", False),
        ("application/jsonx", False),
        (None, False),
    ],
)
def test_json_content_type_is_checked(content_type: str | None, ok: bool) -> None:
    headers = {} if content_type is None else {"content-type": content_type}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"{}", headers=headers)

    with client_for(handler) as client:
        if ok:
            assert client.get_json("https://i.example/") == {}
        else:
            with pytest.raises(UnexpectedContentTypeError):
                client.get_json("https://i.example/")


def test_wildcard_accept_skips_the_type_check() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"png", headers={"content-type": "image/png"})

    with client_for(handler) as client:
        assert client.get_bytes("https://i.example/logo", accept="*/*") == b"png"


@pytest.mark.parametrize("body", [b"{not json", b"NaN", b"\xff\xfe", b'{"a": Infinity}'])
def test_invalid_json_is_a_network_error(body: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    with client_for(handler) as client, pytest.raises(NetworkError):
        client.get_json("https://i.example/")


@pytest.mark.parametrize("status", [400, 404, 418, 500, 503])
def test_non_2xx_is_an_http_status_error(status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"error": "nope"}, status=status)

    with client_for(handler) as client, pytest.raises(HttpStatusError) as caught:
        client.get_json("https://i.example/")
    assert caught.value.status == status


def test_allowed_error_statuses_are_returned_for_oauth_bodies() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"error": "invalid_grant"}, status=400)

    with client_for(handler) as client:
        response = client.post_form("https://as.example/token", {"a": "b"}, allow_status={400})
        assert response.status == 400 and response.json() == {"error": "invalid_grant"}
        with pytest.raises(HttpStatusError):
            client.post_form("https://as.example/token", {"a": "b"})


def test_post_form_and_post_json_encode_their_bodies() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({"ok": True})

    with client_for(handler) as client:
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code", "x": "a b&"}
        client.post_form("https://as.example/token", form)
        client.post_json("https://i.example/credential", {"proof": "é"})
    assert seen[0].headers["content-type"] == "application/x-www-form-urlencoded"
    assert dict(httpx.QueryParams(seen[0].content.decode())) == form
    assert seen[1].headers["content-type"] == "application/json"
    assert json.loads(seen[1].content) == {"proof": "é"}


def test_no_content_response_to_a_post_needs_no_content_type() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(204)

    with client_for(handler) as client:
        response = client.post_json("https://i.example/notification", {"a": 1})
    assert response.status == 204 and response.content == b""


# -- redirects ---------------------------------------------------------------------------


def redirect(location: str, status: int = 302) -> httpx.Response:
    return httpx.Response(status, headers={"location": location})


def test_redirects_are_followed_and_every_hop_is_requested() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/a":
            return redirect("/b", 301)
        if request.url.path == "/b":
            return redirect("https://cdn.example/c", 308)
        return json_response({"final": True})

    with client_for(handler) as client:
        response = client.get("https://i.example/a")
    assert response.json() == {"final": True}
    assert response.url == "https://cdn.example/c"
    assert seen == ["https://i.example/a", "https://i.example/b", "https://cdn.example/c"]


@pytest.mark.parametrize(
    "target",
    [
        "http://i.example/plain",
        "http://127.0.0.1/admin",
        "https://169.254.169.254/latest",
        "https://10.0.0.8/internal",
        "file:///etc/passwd",
        "https://user:pw@i.example/",
    ],
)
def test_redirect_targets_are_checked_like_the_first_url(target: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return redirect(target)

    with client_for(handler) as client, pytest.raises(InsecureUrlError):
        client.get_json("https://i.example/start")
    assert seen == ["https://i.example/start"]  # the refused target was never contacted


def test_redirect_from_loopback_to_a_public_http_host_is_refused_in_dev_mode() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return redirect("http://issuer.example/x")

    with client_for(handler, DEV) as client, pytest.raises(InsecureUrlError):
        client.get_json("http://127.0.0.1:9000/x")


def test_too_many_redirects() -> None:
    count = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal count
        count += 1
        return redirect(f"/hop{count}")

    policy = HttpPolicy(max_redirects=3)
    with client_for(handler, policy) as client, pytest.raises(NetworkError) as caught:
        client.get_json("https://i.example/")
    assert "redirects" in str(caught.value)
    assert count == 4  # the first request and three followed hops


def test_redirect_without_location_is_an_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302)

    with client_for(handler) as client, pytest.raises(NetworkError):
        client.get_json("https://i.example/")


def test_credentials_are_not_forwarded_to_another_origin() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "i.example":
            return redirect("https://other.example/x")
        return json_response({})

    with client_for(handler) as client:
        client.get("https://i.example/", headers={"Authorization": "Bearer T", "X-A": "1"})
    assert seen[0].headers["authorization"] == "Bearer T"
    assert "authorization" not in seen[1].headers
    assert seen[1].headers["x-a"] == "1"


def test_post_does_not_follow_redirects() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return redirect("https://i.example/elsewhere", 307)

    with client_for(handler) as client, pytest.raises(HttpStatusError) as caught:
        client.post_json("https://i.example/credential", {})
    assert caught.value.status == 307 and seen == ["POST"]


# -- size caps ---------------------------------------------------------------------------


def test_declared_length_over_the_cap_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"x": "y" * 2000})

    policy = HttpPolicy(max_response_bytes=1000)
    with client_for(handler, policy) as client, pytest.raises(ResponseTooLargeError):
        client.get_json("https://i.example/")


def test_streamed_body_over_the_cap_is_cut_off() -> None:
    produced = 0

    def endless() -> Iterator[bytes]:
        nonlocal produced
        while True:
            produced += 1
            yield b"x" * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless(), headers={"content-type": "application/json"})

    policy = HttpPolicy(max_response_bytes=10_000)
    with client_for(handler, policy) as client, pytest.raises(ResponseTooLargeError):
        client.get_json("https://i.example/")
    assert produced <= 11  # reading stopped right after the cap


def test_body_exactly_at_the_cap_is_fine() -> None:
    body = b'"' + b"a" * 98 + b'"'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    policy = HttpPolicy(max_response_bytes=100)
    with client_for(handler, policy) as client:
        assert client.get_json("https://i.example/") == "a" * 98


def test_gzip_is_decoded() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=iter([gzip.compress(b'{"a": 1}')]),  # a stream, as from the network
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        )

    with client_for(handler) as client:
        assert client.get_json("https://i.example/") == {"a": 1}


def test_a_compression_bomb_is_stopped_at_the_decoded_cap() -> None:
    bomb = gzip.compress(b" " * 5_000_000)
    assert len(bomb) < 10_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=iter([bomb]),
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        )

    policy = HttpPolicy(max_response_bytes=100_000)
    with client_for(handler, policy) as client, pytest.raises(ResponseTooLargeError):
        client.get_json("https://i.example/")


def test_unknown_content_encoding_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=iter([b"?"]),
            headers={"content-type": "application/json", "content-encoding": "zz"},
        )

    with client_for(handler) as client, pytest.raises(NetworkError):
        client.get_json("https://i.example/")


# -- transport failures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ReadTimeout("slow"), TimeoutError_),
        (httpx.ConnectTimeout("slow"), TimeoutError_),
        (httpx.PoolTimeout("slow"), TimeoutError_),
        (httpx.ConnectError("refused"), NetworkError),
        (httpx.RemoteProtocolError("garbage"), NetworkError),
        (httpx.ReadError("reset"), NetworkError),
    ],
)
def test_transport_errors_become_wallet_errors(exc: Exception, expected: type[Exception]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with client_for(handler) as client, pytest.raises(expected) as caught:
        client.get_json("https://i.example/")
    assert isinstance(caught.value, WalletError)
    assert isinstance(caught.value.__cause__, httpx.HTTPError)


def test_direct_client_use_still_checks_urls() -> None:
    with client_for(lambda request: json_response({})) as client:
        raw = client._client  # the httpx client inside, used past HttpClient's methods
        with pytest.raises(InsecureUrlError):
            raw.get("http://issuer.example/")
        with pytest.raises(InsecureUrlError):
            raw.get("https://10.0.0.1/")
        assert raw.get("https://issuer.example/").status_code == 200


def test_client_settings() -> None:
    client = HttpClient(STRICT)
    assert client._client.follow_redirects is False
    assert client._client.trust_env is False
    assert client._client.timeout.read == STRICT.timeout
    client.close()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("max-age=3600", 3600.0),
        ("public, max-age=60, must-revalidate", 60.0),
        ('max-age="120"', 120.0),
        ("no-store", 0.0),
        ("max-age=3600, no-cache", 0.0),
        ("max-age=bogus", None),
        ("private", None),
    ],
)
def test_max_age(header: str | None, expected: float | None) -> None:
    headers = httpx.Headers({} if header is None else {"cache-control": header})
    assert http.HttpResponse("https://i.example/", 200, headers, b"").max_age() == expected


# -- a real server on loopback -----------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        if self.path == "/slow":
            # Headers at once, then a trickle: each read is quick, the whole is not.
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "40")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("location", "/doc")
            self.send_header("content-length", "0")
            self.end_headers()
            return
        body = json.dumps({"path": self.path, "ua": self.headers.get("user-agent")}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_real_loopback_server(loopback: str) -> None:
    with HttpClient(DEV) as client:
        assert client.get_json(f"{loopback}/doc")["path"] == "/doc"
        response = client.get(f"{loopback}/redirect")
        assert response.json()["path"] == "/doc"
        assert response.url == f"{loopback}/doc"
        assert response.json()["ua"].startswith("eduwallet/")


def test_real_loopback_server_is_refused_without_the_flag(loopback: str) -> None:
    with HttpClient(STRICT) as client, pytest.raises(InsecureUrlError):
        client.get_json(f"{loopback}/doc")


def test_the_whole_retrieval_has_one_deadline(loopback: str) -> None:
    policy = HttpPolicy(allow_http_loopback=True, timeout=0.5)
    started = time.monotonic()
    with HttpClient(policy) as client, pytest.raises(TimeoutError_):
        client.get_json(f"{loopback}/slow")
    assert time.monotonic() - started < 1.5


def test_connection_refused_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with HttpClient(DEV) as client, pytest.raises(NetworkError) as caught:
        client.get_json(f"http://127.0.0.1:{port}/")
    assert type(caught.value) is NetworkError


def test_environment_proxies_are_ignored(loopback: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    with HttpClient(DEV) as client:
        assert client.get_json(f"{loopback}/doc")["path"] == "/doc"


def _fake_dns(monkeypatch: pytest.MonkeyPatch, name: str, address: str) -> None:
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == name:
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_names_resolving_to_private_addresses_are_not_connected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_dns(monkeypatch, "intranet.example", "10.11.12.13")
    with HttpClient(DEV) as client, pytest.raises(InsecureUrlError):
        client.get_json("https://intranet.example/")


def test_names_resolving_to_loopback_need_the_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, "sneaky.example", "127.0.0.1")
    with HttpClient(STRICT) as client, pytest.raises(InsecureUrlError):
        client.get_json("https://sneaky.example/")


def test_the_connection_goes_to_the_checked_address(
    loopback: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = loopback.rsplit(":", 1)[1]
    _fake_dns(monkeypatch, "wallet.localhost", "127.0.0.1")
    with HttpClient(DEV) as client:
        assert client.get_json(f"http://wallet.localhost:{port}/x")["path"] == "/x"
