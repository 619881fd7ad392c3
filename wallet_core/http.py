"""The one HTTP client and its safety policy (DESIGN §6 "Network").

Every URL the wallet dereferences comes, directly or through a redirect, from something a
third party controls: an offer, a presentation request, a credential's ``iss``, a metadata
document. So every request goes through the same rules, following SD-JWT VC
§"Retrieving Documents and Resources via HTTP" and §"Server-Side Request Forgery", which
say what any careful consumer of fetched metadata has to do:

* **https only.** ``http`` is accepted only when the policy says ``allow_http_loopback``
  *and* the host is a loopback host (``127.0.0.0/8``, ``::1``, ``localhost``): the tests and
  the local demo. URLs with user information (``https://user:pw@host``) are refused; they
  only serve to disguise the real host.
* **No internal targets (SSRF).** IP literals that are not globally reachable (private,
  link-local, loopback, ...) are refused by :func:`check_url`; host names are resolved by
  the client's own connection backend, which refuses to connect when any resolved address
  is not global. Loopback is let through only with ``allow_http_loopback``.
* **Redirects are followed by hand** (the client has ``follow_redirects=False``), for GET
  only, at most ``max_redirects`` hops, and every hop is checked again like the first URL.
  Credentials in headers are not carried to another origin.
* **Bounded**: one deadline of ``timeout`` seconds for the whole retrieval (redirects and
  body included, so a server trickling bytes cannot hold us longer), and at most
  ``max_response_bytes`` of *decoded* body: we read the raw bytes and inflate gzip/deflate
  ourselves with an output limit, so a compression bomb cannot expand past the cap.
* **Typed**: when a content type is expected, the response must declare it.
* **Contained**: no httpx exception leaves this module; failures are :class:`NetworkError`
  subclasses (:class:`TimeoutError_`, :class:`HttpStatusError`, ...). The client ignores
  environment variables (``trust_env=False``: no proxy or CA bundle from the environment).

Protocol packages never construct a client (DESIGN §2): they receive an :class:`HttpClient`,
which holds its :class:`HttpPolicy`, and call its methods (``get``, ``get_json``,
``post_form``, ...). The httpx client inside also checks every request URL in an event hook,
so a request sent past those methods still cannot break the scheme and host rules.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from wallet_core.errors import (
    HttpStatusError,
    InsecureUrlError,
    NetworkError,
    TimeoutError_,
    WalletError,
)
from wallet_core.http_connect import GuardedTransport, is_public, unmapped
from wallet_core.http_responses import HttpResponse, check_content_type, read_body

__all__ = ["HttpClient", "HttpPolicy", "HttpResponse", "check_url"]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers that authenticate the wallet to one server; never replay them to another origin.
_ORIGIN_BOUND_HEADERS = ("authorization", "cookie", "dpop", "proxy-authorization")
_USER_AGENT = "eduwallet/0.1"
_LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class HttpPolicy:
    """The network rules one wallet runs under.

    ``allow_http_loopback`` is the development switch of DESIGN §6 (tests and the demo);
    everything else has safe defaults that are generous for metadata documents.
    """

    allow_http_loopback: bool = False
    timeout: float = 10.0
    max_response_bytes: int = 1024 * 1024
    max_redirects: int = 3


def check_url(url: str | httpx.URL, policy: HttpPolicy) -> httpx.URL:
    """Return the parsed URL if the policy allows fetching it, else raise InsecureUrlError."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InsecureUrlError("not a valid URL") from exc
    shown = shown_url(parsed)
    if parsed.userinfo:
        raise InsecureUrlError(f"URLs with user information are refused: {shown}")
    host = parsed.host.rstrip(".").lower()
    if not host:
        raise InsecureUrlError(f"the URL has no host: {shown}")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise InsecureUrlError(f"the URL has an invalid port: {shown}")
    loopback = _is_loopback_host(host)
    if parsed.scheme == "https":
        pass
    elif parsed.scheme == "http":
        if not (policy.allow_http_loopback and loopback):
            raise InsecureUrlError(f"only https URLs are allowed: {shown}")
    else:
        raise InsecureUrlError(f"only https URLs are allowed: {shown}")
    if loopback:
        if not policy.allow_http_loopback:
            raise InsecureUrlError(f"loopback hosts are not allowed: {shown}")
        return parsed
    address = _ip_literal(host)
    if address is not None and not is_public(address):
        raise InsecureUrlError(f"the URL points into a private network: {shown}")
    return parsed


def _is_loopback_host(host: str) -> bool:
    # RFC 6761 §6.3: "localhost" and names under it are loopback by definition.
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    address = _ip_literal(host)
    return address is not None and unmapped(address).is_loopback


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def shown_url(url: httpx.URL) -> str:
    """The URL for an error message: no query or fragment, which may carry tokens."""
    return str(url.copy_with(query=None, fragment=None))


# -- client ------------------------------------------------------------------------------


class HttpClient:
    """The wallet's HTTP client: one httpx client and the policy every request runs under.

    ``transport`` is the test seam (``httpx.MockTransport``). With a custom transport the
    DNS-level address check is the transport's business; the URL rules still apply to every
    request through the event hook.
    """

    def __init__(self, policy: HttpPolicy, transport: httpx.BaseTransport | None = None) -> None:
        self._policy = policy

        def _check_request(request: httpx.Request) -> None:
            check_url(request.url, policy)

        self._client = httpx.Client(
            transport=transport
            if transport is not None
            else GuardedTransport(policy.allow_http_loopback),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(policy.timeout),
            headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            event_hooks={"request": [_check_request]},
        )

    @property
    def policy(self) -> HttpPolicy:
        """Fixed at construction: the event hook and the transport were built with it."""
        return self._policy

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def check_url(self, url: str | httpx.URL) -> httpx.URL:
        """:func:`check_url` under this client's policy."""
        return check_url(url, self.policy)

    def request(
        self,
        method: str,
        url: str,
        *,
        accept: str | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        allow_status: Collection[int] = (),
    ) -> HttpResponse:
        """Send one request under the policy and read the whole (bounded) response.

        ``accept`` is sent as the Accept header and, unless it is ``*/*``, a 2xx response
        with a body must declare one of its media types. Statuses outside 2xx raise
        :class:`HttpStatusError` unless listed in ``allow_status`` (OAuth error bodies, say).
        Redirects are followed for GET and HEAD only.
        """
        policy = self.policy
        deadline = time.monotonic() + policy.timeout
        method = method.upper()
        current = check_url(url, policy)
        request_headers = dict(headers or {})
        if accept is not None:
            request_headers["Accept"] = accept
        hops = 0
        while True:
            response = self._open(method, current, request_headers, content, deadline)
            try:
                if response.status_code in _REDIRECT_STATUSES and method in {"GET", "HEAD"}:
                    target = _redirect_target(response, current, policy)
                    hops += 1
                    if hops > policy.max_redirects:
                        raise NetworkError(f"more than {policy.max_redirects} redirects")
                    if _origin(target) != _origin(current):
                        request_headers = {
                            name: value
                            for name, value in request_headers.items()
                            if name.lower() not in _ORIGIN_BOUND_HEADERS
                        }
                    current = target
                    continue
                status = response.status_code
                if not 200 <= status < 300 and status not in allow_status:
                    # SD-JWT VC §http-retrieval: an error response never stands in for the
                    # document, so its body is not even read.
                    raise HttpStatusError(
                        f"{shown_url(current)} answered HTTP {status}", status=status
                    )
                body = read_body(response, policy.max_response_bytes, deadline)
            finally:
                response.close()
            break
        result = HttpResponse(str(current), response.status_code, response.headers, body)
        if 200 <= result.status < 300 and accept is not None and body:
            check_content_type(result, accept)
        return result

    def get(
        self,
        url: str,
        *,
        accept: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """GET with the full response (headers for caching, final URL)."""
        return self.request("GET", url, accept=accept, headers=headers)

    def get_json(
        self,
        url: str,
        *,
        accept: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        return self.get(url, accept=accept, headers=headers).json()

    def get_text(self, url: str, *, accept: str, headers: Mapping[str, str] | None = None) -> str:
        """For compact JWTs and the like (``application/jwt``, ``application/statuslist+jwt``)."""
        return self.get(url, accept=accept, headers=headers).text()

    def get_bytes(
        self, url: str, *, accept: str, headers: Mapping[str, str] | None = None
    ) -> bytes:
        return self.get(url, accept=accept, headers=headers).content

    def post_form(
        self,
        url: str,
        data: Mapping[str, str],
        *,
        accept: str = "application/json",
        headers: Mapping[str, str] | None = None,
        allow_status: Collection[int] = (),
    ) -> HttpResponse:
        """POST ``application/x-www-form-urlencoded`` (token, PAR, direct_post endpoints)."""
        encoded = urlencode(dict(data)).encode("ascii")
        content_type = "application/x-www-form-urlencoded"
        return self._post(url, encoded, content_type, accept, headers, allow_status)

    def post_json(
        self,
        url: str,
        body: Any,
        *,
        accept: str = "application/json",
        headers: Mapping[str, str] | None = None,
        allow_status: Collection[int] = (),
    ) -> HttpResponse:
        """POST a JSON body (credential, nonce, notification endpoints)."""
        try:
            encoded = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        except (TypeError, ValueError) as exc:
            raise NetworkError("the request body cannot be encoded as JSON") from exc
        return self._post(url, encoded, "application/json", accept, headers, allow_status)

    def post_content(
        self,
        url: str,
        content: bytes,
        content_type: str,
        *,
        accept: str = "application/json",
        headers: Mapping[str, str] | None = None,
        allow_status: Collection[int] = (),
    ) -> HttpResponse:
        """POST a body already encoded (an encrypted request: ``application/jwt``)."""
        return self._post(url, content, content_type, accept, headers, allow_status)

    def _post(
        self,
        url: str,
        content: bytes,
        content_type: str,
        accept: str,
        headers: Mapping[str, str] | None,
        allow_status: Collection[int],
    ) -> HttpResponse:
        request_headers = {**(headers or {}), "Content-Type": content_type}
        return self.request(
            "POST",
            url,
            accept=accept,
            headers=request_headers,
            content=content,
            allow_status=allow_status,
        )

    def _open(
        self,
        method: str,
        url: httpx.URL,
        headers: Mapping[str, str],
        content: bytes | None,
        deadline: float,
    ) -> httpx.Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError_(f"{shown_url(url)} did not answer in time")
        try:
            built = self._client.build_request(
                method, url, headers=headers, content=content, timeout=httpx.Timeout(remaining)
            )
            return self._client.send(built, stream=True)
        except WalletError:
            raise
        except httpx.TimeoutException as exc:
            raise TimeoutError_(f"{shown_url(url)} did not answer in time") from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise NetworkError(f"{shown_url(url)} could not be reached") from exc


# -- internals ---------------------------------------------------------------------------


def _redirect_target(response: httpx.Response, current: httpx.URL, policy: HttpPolicy) -> httpx.URL:
    location = response.headers.get("location")
    if not location:
        raise NetworkError(f"{shown_url(current)} redirected without a Location")
    try:
        target = current.join(location)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InsecureUrlError("the redirect target is not a valid URL") from exc
    # SD-JWT VC §http-retrieval: every redirect target gets the same checks as the first URL.
    return check_url(target, policy)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port
