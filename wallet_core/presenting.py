"""Presenting credentials over OpenID4VP and by QR: the holder's use cases around
``oid4vp``. Only what the holder confirmed is disclosed; every presentation is recorded
(verifier, time, claim names — never values — and outcome)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from wallet_core.crypto.keys import Signer, signer_from_vault
from wallet_core.errors import NoMatchingCredentialError, PresentationRequestError
from wallet_core.formats import sd_jwt
from wallet_core.models import (
    Candidate,
    Choice,
    ClaimPath,
    PresentationMatch,
    PresentationResult,
    StoredCredential,
)
from wallet_core.network import Network
from wallet_core.oid4vp import dcql, pex, response
from wallet_core.oid4vp.claims import SD_JWT_VC_FORMATS, HeldCredential, same_format
from wallet_core.oid4vp.request import PresentationRequest, parse_request
from wallet_core.storage import Vault
from wallet_core.trust import DidResolver


class Presenting:
    def __init__(self, vault: Vault, network: Network) -> None:
        self._vault = vault
        self._network = network

    def parse_request(self, text: str) -> PresentationRequest:
        resolver = DidResolver(
            self._network.http, self._network.policy, self._vault.cache, self._vault.clock
        )
        return parse_request(
            text,
            self._network.http,
            self._network.policy,
            trust_anchors=self._network.verifier_trust_anchors,
            did_key=resolver.assertion_key,
            now=self._vault.now(),
            wallet_metadata=WALLET_METADATA,
        )

    def match(self, request: PresentationRequest) -> PresentationMatch:
        held = self._held()
        if request.dcql_query is not None:
            return dcql.match(dcql.parse_query(request.dcql_query), held)
        assert request.presentation_definition is not None
        return pex.match(pex.parse_definition(request.presentation_definition), held)

    def present(
        self, request: PresentationRequest, choices: Mapping[str, Choice]
    ) -> PresentationResult:
        """Build one presentation per chosen query and send them; only the chosen claims go."""
        _check_combination(request, choices)
        matched = self.match(request)
        built: list[tuple[str, StoredCredential, str, tuple[ClaimPath, ...], int | None]] = []
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
            claims = _claims_to_send(candidate, [tuple(p) for p in choice.claims])
            stored = self._vault.credentials.get(choice.credential_id)
            text, instance_id = self._presentation(
                stored, claims, request.client_id, request.nonce, reserved
            )
            built.append((query_id, stored, text, claims, instance_id))
        if request.dcql_query is not None:
            token: Any = response.dcql_vp_token({q: [text] for q, _, text, _, _ in built})
            parameters: dict[str, Any] = {"vp_token": token}
        else:
            assert request.presentation_definition is not None
            definition = pex.parse_definition(request.presentation_definition)
            token, submission = response.pex_response(
                definition.id,
                [(q, _named_format(definition, q, s.format), text) for q, s, text, _, _ in built],
            )
            parameters = {"vp_token": token, "presentation_submission": submission}
        # Recorded (and the instances spent) before anything leaves: whatever happens to the
        # reply, the history shows the disclosure and no verifier sees the instance again.
        self._record(request.client_id, built, "presentation_sent")
        result = response.send(self._network.http, self._network.policy, request, parameters)
        if not result.ok:
            self._vault.activity.record(
                "presentation_rejected", self._vault.now(), counterparty=request.client_id
            )
        return result

    def decline(self, request: PresentationRequest) -> PresentationResult:
        """§8.5: tell the verifier the user said no (``access_denied``)."""
        result = response.send(
            self._network.http, self._network.policy, request, {"error": "access_denied"}
        )
        vault = self._vault
        vault.activity.record("presentation_declined", vault.now(), counterparty=request.client_id)
        return result

    def offline_presentation(
        self,
        credential_id: str,
        claims: Sequence[ClaimPath],
        nonce: str | None = None,
        audience: str | None = None,
    ) -> str:
        """An SD-JWT+KB for a QR, made without any network (shown, not sent)."""
        stored = self._vault.credentials.get(credential_id)
        wanted = tuple(tuple(path) for path in claims)
        text, instance_id = self._presentation(
            stored, wanted, audience or OFFLINE_AUDIENCE, nonce or secrets.token_urlsafe(16)
        )
        self._record(
            audience or OFFLINE_AUDIENCE,
            [("offline", stored, text, wanted, instance_id)],
            "presentation_shown",
        )
        return text

    # -- internals ---------------------------------------------------------------------

    def _held(self) -> list[HeldCredential]:
        held = []
        for summary in self._vault.credentials.summaries():
            if summary.format in SD_JWT_VC_FORMATS:
                held.append(HeldCredential.from_stored(self._vault.credentials.get(summary.id)))
        return held

    def _presentation(
        self,
        stored: StoredCredential,
        claims: tuple[ClaimPath, ...],
        aud: str,
        nonce: str,
        reserved: set[int] | None = None,
    ) -> tuple[str, int | None]:
        """Present with an instance no verifier has seen, if the batch has one left."""
        if stored.format not in SD_JWT_VC_FORMATS:
            raise PresentationRequestError(f"presenting {stored.format!r} is not supported yet")
        raw, key_id, instance_id = stored.raw, stored.key_id, None
        taken = reserved if reserved is not None else set()
        for instance in self._vault.credentials.instances(stored.id):
            if instance.used_at is None and instance.id not in taken:
                raw, key_id, instance_id = instance.raw, instance.key_id, instance.id
                taken.add(instance.id)
                break
        signer: Signer | None = None
        if key_id is not None:
            signer = signer_from_vault(self._vault.keys.private_der(key_id))
        text = sd_jwt.present(raw, claims, signer, aud=aud, nonce=nonce, iat=int(self._vault.now()))
        return text, instance_id

    def _record(
        self,
        verifier: str,
        built: Sequence[tuple[str, StoredCredential, str, tuple[ClaimPath, ...], int | None]],
        kind: str,
    ) -> None:
        vault = self._vault
        with vault.transaction():
            for _, stored, _, claims, instance_id in built:
                if instance_id is not None:
                    vault.credentials.mark_instance_used(instance_id, vault.now())
                vault.activity.record(
                    kind,
                    vault.now(),
                    credential_id=stored.id,
                    counterparty=verifier,
                    details={"claims": [_name(path) for path in claims]},
                )


OFFLINE_AUDIENCE = "eduwallet:offline"
WALLET_METADATA = {
    "vp_formats_supported": {
        "dc+sd-jwt": {
            "sd-jwt_alg_values": ["ES256", "EdDSA"],
            "kb-jwt_alg_values": ["ES256", "EdDSA"],
        }
    },
    "response_modes_supported": ["direct_post", "direct_post.jwt"],
    "client_id_prefixes_supported": [
        "redirect_uri",
        "x509_san_dns",
        "x509_hash",
        "decentralized_identifier",
    ],
}


def _named_format(definition: pex.PresentationDefinition, descriptor_id: str, held: str) -> str:
    """The verifier's own name for the format (``vc+sd-jwt`` for draft-21 verifiers)."""
    descriptor = definition.descriptor(descriptor_id)
    formats = descriptor.formats or definition.formats or {}
    return next((name for name in formats if same_format(name, held)), held)


def _claims_to_send(candidate: Candidate, chosen: list[ClaimPath]) -> tuple[ClaimPath, ...]:
    """The chosen claims plus the claim set they complete: the preferred one unless the
    holder picked all of an alternative set (§6.4.1 lets the verifier accept either)."""
    options = [candidate.required_claims, *candidate.alternatives]
    allowed = {path for option in options for path in option} | set(candidate.optional_claims)
    if any(path not in allowed for path in chosen):
        raise PresentationRequestError("a chosen claim was not asked for by the verifier")
    picked = set(chosen)
    base = next(
        (option for option in candidate.alternatives if picked >= set(option)),
        candidate.required_claims,
    )
    if picked >= set(candidate.required_claims):
        base = candidate.required_claims
    extra = [path for path in chosen if path in set(candidate.optional_claims) | set(base)]
    return tuple(dict.fromkeys([*base, *extra]))


def _name(path: ClaimPath) -> str:
    return ".".join("*" if part is None else str(part) for part in path)


def _check_combination(request: PresentationRequest, choices: Mapping[str, Choice]) -> None:
    """Refuse, before anything is built or sent, a set of answers the verifier cannot accept:
    DCQL ``credential_sets`` (§6.2; every query when there are none) or PE
    ``submission_requirements`` (every descriptor when there are none)."""
    if request.dcql_query is not None:
        unmet = dcql.unmet_sets(dcql.parse_query(request.dcql_query), choices)
        if unmet:
            wanted = " or ".join("+".join(option) for option in unmet[0].options)
            raise NoMatchingCredentialError(f"the verifier requires {wanted}")
    else:
        assert request.presentation_definition is not None
        definition = pex.parse_definition(request.presentation_definition)
        if not pex.fits_requirements(definition, choices):
            raise NoMatchingCredentialError(
                "these credentials do not meet the verifier's submission requirements"
            )
