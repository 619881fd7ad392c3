"""Fixtures and a scripted holder for the verifier tests (imported by test_verifier_*.py).

There is no wallet-side OpenID4VP response code to drive the verifier with yet, so
``ScriptedHolder`` plays the wallet: it fetches the request (by value from the admin API,
or the Request Object from ``request_uri``), presents with ``wallet_core.formats.sd_jwt``
and posts ``direct_post`` / ``direct_post.jwt`` itself. It checks nothing a wallet must
check; the point is to exercise the verifier.

Verifiers are started once per (prefix, response mode, options) for the whole module that
imports these fixtures; credentials come from the session's demo issuer
(``conftest.issuer_server``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from joserfc import jwe
from joserfc.jwk import import_key

from demo_services.issuer.client import DemoIssuerClient
from demo_services.serving import BackgroundServer, start_in_thread
from demo_services.verifier import create_app
from demo_services.verifier.context import ClientIdPrefix, ResponseMode
from wallet_core.crypto import Signer, generate
from wallet_core.crypto.jwk import b64url_decode
from wallet_core.formats import sd_jwt

WITH_GRADE = "mc-circulair-ontwerpen"  # has grade 8,0
WITHOUT_GRADE = "mc-data-analyse-python"
REQUIRED: tuple[tuple[str, ...], ...] = (
    ("title",),
    ("awardingBody",),
    ("notionalWorkload",),
    ("level",),
)
WITH_GRADE_CLAIMS = (*REQUIRED, ("grade",))
PREFIXES = ("redirect_uri", "x509_san_dns", "x509_hash")
MODES = ("direct_post", "direct_post.jwt")


@dataclass(frozen=True)
class Held:
    """A credential from the demo issuer and the holder key it is bound to."""

    credential: str
    holder: Signer

    @property
    def status_idx(self) -> int:
        payload = json.loads(b64url_decode(self.credential.split("~")[0].split(".")[1]))
        idx: int = payload["status"]["status_list"]["idx"]
        return idx


@dataclass
class VerifierHandle:
    server: BackgroundServer
    http: httpx.Client

    @property
    def url(self) -> str:
        """Where the verifier says it is (``localhost`` for x509_san_dns)."""
        url: str = self.server.app.state.public_url  # type: ignore[attr-defined]
        return url

    def transaction(self, **body: Any) -> dict[str, Any]:
        response = self.http.post(self.url + "/admin/transactions", json=body)
        assert response.status_code == 201, response.text
        value: dict[str, Any] = response.json()
        return value

    def status(self, transaction_id: str) -> dict[str, Any]:
        response = self.http.get(self.url + f"/admin/transactions/{transaction_id}")
        assert response.status_code == 200, response.text
        value: dict[str, Any] = response.json()
        return value


@dataclass
class ScriptedHolder:
    http: httpx.Client

    def request(
        self,
        transaction: dict[str, Any],
        *,
        method: str = "get",
        form: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The Authorization Request parameters: by value, or the Request Object's claims."""
        uri = transaction["request_uri"]
        if uri is None:
            value: dict[str, Any] = transaction["request"]
            return value
        post = method == "post"
        response = self.http.post(uri, data=form or {}) if post else self.http.get(uri)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/oauth-authz-req+jwt")
        claims: dict[str, Any] = json.loads(b64url_decode(response.text.split(".")[1]))
        return claims

    @staticmethod
    def present(
        held: Held,
        params: dict[str, Any],
        claims: Sequence[tuple[str, ...]] = REQUIRED,
        **overrides: Any,
    ) -> str:
        options = {"aud": params["client_id"], "nonce": params["nonce"], **overrides}
        return sd_jwt.present(held.credential, list(claims), held.holder, **options)

    def post(
        self,
        params: dict[str, Any],
        fields: dict[str, Any],
        *,
        encrypt: bool | None = None,
        enc: str = "A128GCM",
        header: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """POST ``fields`` (``vp_token`` as an object) to the response URI; encrypted when
        the request asks for direct_post.jwt (unless ``encrypt`` says otherwise)."""
        if encrypt is None:
            encrypt = params["response_mode"] == "direct_post.jwt"
        if encrypt:
            key = params["client_metadata"]["jwks"]["keys"][0]
            protected = {"alg": "ECDH-ES", "enc": enc, "kid": key["kid"], **(header or {})}
            token = jwe.encrypt_compact(protected, json.dumps(fields).encode(), import_key(key))
            return self.http.post(params["response_uri"], data={"response": token})
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
        return self.http.post(params["response_uri"], data=form)

    def answer(
        self,
        params: dict[str, Any],
        presentation: str,
        *,
        state: str | None = None,
        **options: Any,
    ) -> httpx.Response:
        fields = {
            "vp_token": {"microcredential": [presentation]},
            "state": state or params["state"],
        }
        return self.post(params, fields, **options)


@pytest.fixture(scope="module")
def verifiers(
    issuer_server: BackgroundServer, http: httpx.Client
) -> Iterator[Callable[..., VerifierHandle]]:
    """``verifiers(prefix, mode, **options)``: a running verifier asking for the demo
    issuer's microcredential type and trusting that issuer."""
    running: dict[tuple[Any, ...], VerifierHandle] = {}
    vct = issuer_server.base_url + "/types/microcredential"

    def start(
        prefix: ClientIdPrefix = "redirect_uri",
        mode: ResponseMode = "direct_post",
        **options: Any,
    ) -> VerifierHandle:
        key = (prefix, mode, tuple(sorted((k, repr(v)) for k, v in options.items())))
        if key not in running:
            settings: dict[str, Any] = {
                "vct_values": [vct],
                "trusted_issuers": [issuer_server.base_url],
                **options,
            }
            server = start_in_thread(
                lambda base: create_app(
                    base, client_id_prefix=prefix, response_mode=mode, **settings
                ),
                name="verifier",
            )
            running[key] = VerifierHandle(server, http)
        return running[key]

    yield start
    for handle in running.values():
        handle.server.stop()


@pytest.fixture(scope="module")
def issue(issuer_server: BackgroundServer, http: httpx.Client) -> Callable[[str], Held]:
    client = DemoIssuerClient(issuer_server.base_url, http)

    def make(configuration_id: str = WITH_GRADE) -> Held:
        holder = generate("ES256")
        [credential] = client.issue(configuration_id, [holder])
        return Held(credential, holder)

    return make


@pytest.fixture(scope="module")
def held(issue: Callable[[str], Held]) -> Held:
    """One credential with a grade, shared by the tests that do not revoke it."""
    return issue(WITH_GRADE)


@pytest.fixture
def holder(http: httpx.Client) -> ScriptedHolder:
    return ScriptedHolder(http)
