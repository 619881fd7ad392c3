"""The seam between the wallet and its credential formats (docs/decisions/0006).

Two faces, so a format can be *known* before it can be *held*:

- :class:`FormatRules` is what the protocol code needs to reason about credentials of a
  format it meets in a request or in issuer metadata: the format's identifiers, whether it can
  leave claims out, which claims are its own bookkeeping, its claims-path-pointer rule and
  its DCQL ``meta`` (OpenID4VP 1.0 §7 and Appendix B; OpenID4VCI 1.0 Appendix A).
- :class:`CredentialFormat` adds what the holder does with a credential of that format:
  verify what an issuer sent into what the vault stores, read a stored credential into the
  view the matchers and the screens use (:class:`HeldCredential`), and present chosen
  claims to an audience.

:mod:`wallet_core.formats.registry` maps each identifier to its implementation; nothing
outside ``wallet_core/formats/`` compares format identifiers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from wallet_core.crypto import Signer
from wallet_core.formats.status import StatusListReference
from wallet_core.formats.status_w3c import W3cStatusReference
from wallet_core.models import ClaimPath, StoredCredential

#: (protected header, payload) -> the issuer's public JWK, raising when it is not trusted.
IssuerKeyFor = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]
#: (issuer, key id or None) -> the public JWK of that assertion method of the issuer (its DID
#: document or the controller document it publishes), raising when the issuer lacks it.
AssertionKeyFor = Callable[[str, str | None], Mapping[str, Any]]
#: Where a credential's status is published, by mechanism: an IETF Token Status List
#: (SD-JWT VC ``status.status_list``) or a W3C credential's ``credentialStatus`` entries.
#: ``wallet_core.freshness`` dispatches on the type.
StatusReference = StatusListReference | W3cStatusReference
#: What a format hands back to present: a compact string, or a JSON object (a Data
#: Integrity VP is one, OpenID4VP 1.0 Appendix B.1.3.2).
Presentation = str | Mapping[str, Any]


@dataclass(frozen=True)
class IssuerKeys:
    """How each format finds the key that signed a credential: SD-JWT VC by its ``iss`` and
    JOSE header (issuer metadata, x5c, DIDs); W3C VCs by the issuer's assertion methods."""

    for_jwt: IssuerKeyFor
    assertion_method: AssertionKeyFor


@dataclass(frozen=True)
class HeldCredential:
    """One stored credential as the matchers and screens see it, read once per open vault.

    ``types``: for SD-JWT VC the ``vct`` plus ``aka_vcts`` (and, when the wallet resolved Type
    Metadata, the types it ``extends``: OpenID4VP 1.0 Appendix B.3.5 lets a Wallet return
    credentials that inherit from a requested type); for mdoc the doctype; for W3C VCs the
    fully expanded type IRIs (Appendix B.1.1). ``claims`` is the holder's full processed
    claim tree (for ``jwt_vc_json`` the JWT payload, so ``$.vc.type`` resolves).
    ``disclosable`` holds the concrete paths that are selectively disclosable, ``top_level``
    those not inside another disclosable claim, in the credential's own order. ``alg`` is the
    issuer signature algorithm when known (checked against PE ``sd-jwt_alg_values``/``alg``).
    ``issuer`` is who signed it, as the credential says; ``key_id`` the vault key it is bound
    to. ``parsed`` is the format's own parsed form, which only that format reads (to present
    without parsing again).
    """

    id: str
    format: str
    types: tuple[str, ...]
    claims: Mapping[str, Any] = field(repr=False, hash=False)
    disclosable: frozenset[ClaimPath] = frozenset()
    holder_binding: bool = True
    alg: str | None = None
    top_level: tuple[ClaimPath, ...] = ()
    issuer: str | None = None
    key_id: str | None = None
    parsed: object = field(default=None, repr=False, hash=False, compare=False)


class TypeFilter(Protocol):
    """A DCQL query's ``meta`` of one format (OpenID4VP 1.0 Appendix B), parsed."""

    def accepts(self, types: Collection[str]) -> bool: ...


class FormatRules(Protocol):
    """What protocol code needs to know of a format, held or not."""

    @property
    def identifiers(self) -> frozenset[str]:
        """Every format identifier these rules answer to (a renamed one included)."""

    @property
    def selective(self) -> bool:
        """Whether a presentation can leave claims out (PE ``limit_disclosure``)."""

    @property
    def type_claim(self) -> ClaimPath | None:
        """The claim that names the credential's type, matched against all its ``types``."""

    @property
    def configuration_type_key(self) -> str | None:
        """The issuer-metadata member a configuration must name its type in (``vct``)."""

    @property
    def namespaced_claims(self) -> bool:
        """Whether a draft-13 claims map starts with namespaces (mdoc), not claims."""

    @property
    def subject_in_definition(self) -> bool:
        """Whether draft-13 metadata describes claims in ``credential_definition``."""

    @property
    def payload_wrapper(self) -> str | None:
        """The member of the signed payload that holds the credential (VCDM 1.1 JWT ``vc``),
        which PE paths of draft-era verifiers start with; None when the claims are the root."""

    @property
    def holder_did(self) -> bool:
        """Whether the format names its holder by a DID (``credentialSubject.id``)."""

    @property
    def nested_in(self) -> tuple[str, str] | None:
        """The presentation format and the path to the credential in it, for a PE
        ``path_nested``; None when the credential is presented as itself."""

    def is_legacy(self, identifier: str) -> bool:
        """Whether ``identifier`` is a draft-era name of this format."""

    def is_bookkeeping(self, path: ClaimPath) -> bool:
        """Whether ``path`` is the credential's own metadata (type, issuer, validity, key,
        status): in every presentation, selecting credentials but never a claim to disclose."""

    def pointer_allowed(self, path: ClaimPath) -> bool:
        """Whether a claims path pointer can select anything in this format (§7.2.1)."""

    def type_filter(self, meta: Mapping[str, Any], where: str) -> TypeFilter:
        """Parse a DCQL ``meta``; raises ``PresentationRequestError`` when it is invalid."""


@dataclass(frozen=True)
class VerifiedCredential:
    """An issued credential after every check of its format: what the vault will keep."""

    raw: str
    claims: Mapping[str, Any] = field(repr=False)
    issuer: str | None
    type: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    holder_jwk: Mapping[str, Any] | None = field(repr=False)
    #: what the credential calls itself and the image it carries (an Open Badge's
    #: achievement), for its card; None when it says nothing of the kind
    name: str | None = None
    image: str | None = None
    #: what kind of achievement it says it is (OB 3.0 ``achievementType``: MicroCredential)
    kind: str | None = None
    #: what checking its embedded endorsements found, as records for the vault
    endorsements: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)

    def display_facts(self) -> dict[str, Any]:
        """What the credential itself gives its card and detail screen (``display``)."""
        facts: dict[str, Any] = {}
        if self.image:
            facts["image"] = self.image
        if self.kind:
            facts["kind"] = self.kind
        if self.endorsements:
            facts["endorsements"] = [dict(e) for e in self.endorsements]
        return facts


@dataclass(frozen=True)
class DisplaySource:
    """Where a credential itself says how to show it, beside the issuer's metadata: the
    metadata of its type (SD-JWT VC ``vct``, with ``vct#integrity``), or a name and image it
    carries (Open Badges)."""

    type_metadata: str | None = None
    type_integrity: str | None = None
    name: str | None = None
    image: str | None = None
    kind: str | None = None


class CredentialFormat(FormatRules, Protocol):
    """A format the wallet can hold: verify, read, present."""

    @property
    def name(self) -> str:
        """The format's identifier in OpenID4VP 1.0 (what the wallet says it supports)."""

    @property
    def vp_parameters(self) -> Mapping[str, Any]:
        """Its ``vp_formats_supported`` parameters (OpenID4VP 1.0 Appendix B)."""

    def verify_issued(
        self,
        issued: object,
        keys: IssuerKeys,
        *,
        expected_types: tuple[str, ...],
        now: float,
    ) -> VerifiedCredential:
        """Check what an issuer sent (text or JSON), which must be of all ``expected_types``;
        raises a ``CredentialError``."""

    def read(self, stored: StoredCredential) -> HeldCredential:
        """The stored credential (verified when it arrived) as the matchers see it."""

    def status_reference(self, held: HeldCredential) -> StatusReference | None:
        """Where the credential's status is published, if it says."""

    def display_source(self, held: HeldCredential) -> DisplaySource:
        """Where the credential says how to show it."""

    def present(
        self,
        held: HeldCredential,
        claims: Iterable[ClaimPath],
        signer: Signer | None,
        *,
        aud: str,
        nonce: str,
        iat: int,
        instance: str | None = None,
    ) -> Presentation:
        """A presentation with only ``claims`` (and what they need), bound to aud and nonce.

        ``instance`` is another issued copy of the same credential (batch issuance, OpenID4VCI
        1.0 §8.3) to present in its place, so no two verifiers see the same one.
        """
