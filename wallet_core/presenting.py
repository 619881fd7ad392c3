"""Presenting credentials over OpenID4VP and by QR: the holder's use cases around
``oid4vp``. Only what the holder confirmed is disclosed; every presentation is recorded
(verifier, time, claim names — never values — and outcome)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wallet_core import qr
from wallet_core.crypto.keys import Signer, signer_from_vault
from wallet_core.errors import (
    NoMatchingCredentialError,
    PresentationRequestError,
    QrError,
    TooLargeForQrError,
)
from wallet_core.formats import registry
from wallet_core.formats.seam import HeldCredential, Presentation
from wallet_core.models import (
    Choice,
    ClaimPath,
    PresentationMatch,
    PresentationResult,
)
from wallet_core.network import Network
from wallet_core.oid4vp import qr_payload, response
from wallet_core.oid4vp.query import Presented
from wallet_core.oid4vp.request import PresentationRequest, VerifierIdentity, parse_request
from wallet_core.storage import Vault
from wallet_core.trust import DidResolver


@dataclass(frozen=True)
class Built:
    """One presentation made for one query, with what the history and the batch need."""

    query_id: str
    credential: HeldCredential
    presentation: Presentation
    claims: tuple[ClaimPath, ...]
    instance_id: int | None  # the batch instance it spent, if any

    def presented(self) -> Presented:
        return Presented(self.query_id, self.credential.format, self.presentation)


class Presenting:
    def __init__(self, vault: Vault, network: Network) -> None:
        self._vault = vault
        self._network = network

    def parse_request(self, text: str) -> PresentationRequest:
        resolver = DidResolver(self._network.http, self._vault.cache, self._vault.clock)
        return parse_request(
            text,
            self._network.http,
            trust_anchors=self._network.verifier_trust_anchors,
            did_key=resolver.assertion_key,
            now=self._vault.now(),
            wallet_metadata=WALLET_METADATA,
        )

    def match(self, request: PresentationRequest) -> PresentationMatch:
        return request.query.match(self.held())

    def present(
        self,
        request: PresentationRequest,
        choices: Mapping[str, Choice],
        matched: PresentationMatch | None = None,
    ) -> PresentationResult:
        """Build one presentation per chosen query and send them; only the chosen claims go.

        ``matched`` is the caller's :meth:`match` of this request, reused rather than run
        again; a choice must still be one of its candidates. Choices the verifier cannot
        accept together are refused before anything is built, recorded or sent.
        """
        request.query.check_answers(choices.keys())
        matched = matched if matched is not None else self.match(request)
        built: list[Built] = []
        reserved: set[int] = set()  # one instance per presentation, also within one request
        for query_id, choice in choices.items():
            candidate = next(
                (
                    c
                    for c in matched.candidates(query_id)
                    if c.credential_id == choice.credential_id
                ),
                None,
            )
            if candidate is None:
                raise NoMatchingCredentialError(f"that credential does not answer {query_id!r}")
            claims = candidate.to_send([tuple(p) for p in choice.claims])
            if claims is None:
                raise PresentationRequestError("a chosen claim was not asked for by the verifier")
            held = self.held_one(choice.credential_id)
            built.append(
                self._presentation(
                    query_id, held, claims, request.client_id, request.nonce, reserved
                )
            )
        # Recorded (and the instances spent) before anything leaves: whatever happens to the
        # reply, the history shows the disclosure and no verifier sees the instance again.
        self._record(request.verifier, built, "presentation_sent")
        parameters = request.query.response_parameters([b.presented() for b in built])
        result = response.send(self._network.http, request, parameters)
        if not result.ok:
            self._vault.activity.record(
                "presentation_rejected",
                self._vault.now(),
                counterparty=request.client_id,
                details={"name": request.verifier.name},
            )
        return result

    def decline(self, request: PresentationRequest) -> PresentationResult:
        """§8.5: tell the verifier the user said no (``access_denied``)."""
        result = response.send(self._network.http, request, {"error": "access_denied"})
        vault = self._vault
        vault.activity.record(
            "presentation_declined",
            vault.now(),
            counterparty=request.client_id,
            details={"name": request.verifier.name},
        )
        return result

    def offline_presentation(
        self,
        credential_id: str,
        claims: Sequence[ClaimPath],
        nonce: str | None = None,
        audience: str | None = None,
    ) -> str:
        """A presentation for a QR, made without any network (shown, not sent)."""
        wanted = tuple(tuple(path) for path in claims)
        aud = audience or OFFLINE_AUDIENCE
        built = self._presentation(
            "offline",
            self.held_one(credential_id),
            wanted,
            aud,
            nonce or secrets.token_urlsafe(16),
        )
        shown = built.presentation
        text = shown if isinstance(shown, str) else json.dumps(shown, separators=(",", ":"))
        try:
            qr.symbol_info(qr_payload.encode(text), error_correction="L")
        except QrError as exc:
            raise TooLargeForQrError(
                "this credential is too large for a QR code; share it with the verifier online"
            ) from exc
        # the default audience is no one in particular: the history names no counterparty
        self._record(audience, [built], "presentation_shown")
        return text

    def held(self) -> list[HeldCredential]:
        """Every credential the wallet can present, read once per open wallet."""
        return [
            self.held_one(summary.id)
            for summary in self._vault.credentials.summaries()
            if registry.is_held(summary.format)
        ]

    def held_one(self, credential_id: str) -> HeldCredential:
        return self._vault.credentials.read_once(credential_id, registry.read)

    # -- internals ---------------------------------------------------------------------

    def _presentation(
        self,
        query_id: str,
        held: HeldCredential,
        claims: tuple[ClaimPath, ...],
        aud: str,
        nonce: str,
        reserved: set[int] | None = None,
    ) -> Built:
        """Present with an instance no verifier has seen, if the batch has one left."""
        credential_format = registry.format_for(held.format)
        key_id, instance, instance_id = held.key_id, None, None
        taken = reserved if reserved is not None else set()
        for candidate in self._vault.credentials.instances(held.id):
            if candidate.used_at is None and candidate.id not in taken:
                instance, key_id, instance_id = candidate.raw, candidate.key_id, candidate.id
                taken.add(candidate.id)
                break
        signer: Signer | None = None
        if key_id is not None:
            signer = signer_from_vault(self._vault.keys.private_der(key_id))
        presentation = credential_format.present(
            held,
            claims,
            signer,
            aud=aud,
            nonce=nonce,
            iat=int(self._vault.now()),
            instance=instance,
        )
        return Built(query_id, held, presentation, claims, instance_id)

    def _record(
        self, verifier: VerifierIdentity | str | None, built: Sequence[Built], kind: str
    ) -> None:
        """``verifier``: who asked (a request's verifier), an audience, or no one."""
        vault = self._vault
        counterparty: str | None
        name: dict[str, str]
        if isinstance(verifier, VerifierIdentity):
            counterparty, name = verifier.client_id, {"name": verifier.name}
        else:
            counterparty, name = verifier, {}
        with vault.transaction():
            for item in built:
                if item.instance_id is not None:
                    vault.credentials.mark_instance_used(item.instance_id, vault.now())
                vault.activity.record(
                    kind,
                    vault.now(),
                    credential_id=item.credential.id,
                    counterparty=counterparty,
                    details={**name, "claims": [_name(path) for path in item.claims]},
                )


OFFLINE_AUDIENCE = "eduwallet:offline"
WALLET_METADATA = {
    "vp_formats_supported": registry.vp_formats_supported(),
    "response_modes_supported": ["direct_post", "direct_post.jwt"],
    "client_id_prefixes_supported": [
        "redirect_uri",
        "x509_san_dns",
        "x509_hash",
        "decentralized_identifier",
    ],
}


def _name(path: ClaimPath) -> str:
    return ".".join("*" if part is None else str(part) for part in path)
