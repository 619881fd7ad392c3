"""A scripted holder for the demo issuer: tests, e2e set-up and the verifier's tests.

Not the wallet: it skips every check a wallet must make (metadata, issuer key, ``cnf``).
It exists so a test can get real credentials from a running demo issuer in a few lines::

    client = DemoIssuerClient(base_url, httpx.Client())
    holder = generate("ES256")
    [sd_jwt_vc] = client.issue("mc-data-analyse-python", [holder])
    [badge] = client.issue("ob3-circulair-ontwerpen-jwt", [holder], by_did=True)
    # the badge's credentialSubject.id is did_jwk(holder.public_jwk)

``by_did``: the proof names its key as ``kid`` = ``<did:jwk>#0`` (what a wallet sends for the
Open Badge configurations) instead of a ``jwk`` header.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from demo_services.issuer.context import PRE_AUTHORIZED_GRANT
from demo_services.issuer.proofs import PROOF_TYP
from wallet_core.crypto import Signer, did_jwk, public_only, sign_compact


class UnexpectedResponse(Exception):
    """The issuer answered with another status than the step expects."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text[:500]}"
        )
        self.response = response


def make_proof(
    signer: Signer,
    *,
    audience: str,
    nonce: str | None,
    iat: float | None = None,
    header: Mapping[str, Any] | None = None,
    claims: Mapping[str, Any] | None = None,
    by_did: bool = False,
) -> str:
    """An ``openid4vci-proof+jwt`` with the public key in ``jwk`` (``by_did``: as ``kid``
    ``<did:jwk>#0``); ``header``/``claims`` override or add members (``None`` values
    remove them), for negative tests."""
    protected: dict[str, Any] = {"typ": PROOF_TYP}
    if by_did:
        protected["kid"] = did_jwk(signer.public_jwk) + "#0"
    else:
        protected["jwk"] = public_only(signer.public_jwk)
    payload: dict[str, Any] = {"aud": audience, "iat": int(time.time() if iat is None else iat)}
    if nonce is not None:
        payload["nonce"] = nonce
    for target, changes in ((protected, header), (payload, claims)):
        for name, value in (changes or {}).items():
            if value is None:
                target.pop(name, None)
            else:
                target[name] = value
    return sign_compact(protected, payload, signer)


class DemoIssuerClient:
    def __init__(self, base_url: str, http: httpx.Client) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http

    def url(self, path: str) -> str:
        return self.base_url + path

    def issuer_metadata(self) -> dict[str, Any]:
        return self._json(self.http.get(self.url("/.well-known/openid-credential-issuer")))

    def issuer_jwk(self) -> dict[str, Any]:
        document = self._json(self.http.get(self.url("/.well-known/jwt-vc-issuer")))
        key: dict[str, Any] = document["jwks"]["keys"][0]
        return key

    def create_offer(
        self,
        configuration_ids: Sequence[str],
        *,
        tx_code: bool = False,
        by_reference: bool = False,
        grant: str = "pre-authorized",
        **extra: Any,
    ) -> dict[str, Any]:
        body = {
            "configuration_ids": list(configuration_ids),
            "tx_code": tx_code,
            "by_reference": by_reference,
            "grant": grant,
            **extra,
        }
        return self._json(self.http.post(self.url("/admin/offers"), json=body), 201)

    def token_request(self, form: Mapping[str, str]) -> httpx.Response:
        return self.http.post(self.url("/token"), data=dict(form))

    def pre_authorized_token(
        self, code: str, tx_code: str | None = None, **extra: str
    ) -> dict[str, Any]:
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, **extra}
        if tx_code is not None:
            form["tx_code"] = tx_code
        return self._json(self.token_request(form))

    def nonce(self) -> str:
        value: str = self._json(self.http.post(self.url("/nonce")))["c_nonce"]
        return value

    def proof(self, signer: Signer, nonce: str | None, **options: Any) -> str:
        return make_proof(signer, audience=self.base_url, nonce=nonce, **options)

    def credential_request(self, access_token: str, body: Mapping[str, Any]) -> httpx.Response:
        return self.http.post(
            self.url("/credential"),
            json=dict(body),
            headers={"Authorization": f"Bearer {access_token}"},
        )

    def issue(
        self,
        configuration_id: str,
        holders: Sequence[Signer],
        *,
        tx_code: bool = False,
        by_did: bool = False,
    ) -> list[Any]:
        """Offer -> token -> nonce -> credential (OpenID4VCI 1.0 mode): one per holder key
        (a string, or for ``ldp_vc`` a JSON object)."""
        offer = self.create_offer([configuration_id], tx_code=tx_code)
        token = self.pre_authorized_token(offer["pre_authorized_code"], offer["tx_code"])
        nonce = self.nonce()
        response = self.credential_request(
            token["access_token"],
            {
                "credential_configuration_id": configuration_id,
                "proofs": {"jwt": [self.proof(holder, nonce, by_did=by_did) for holder in holders]},
            },
        )
        return [entry["credential"] for entry in self._json(response)["credentials"]]

    @staticmethod
    def _json(response: httpx.Response, status: int = 200) -> dict[str, Any]:
        if response.status_code != status:
            raise UnexpectedResponse(response)
        value: dict[str, Any] = response.json()
        return value
