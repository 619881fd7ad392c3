"""What the presentation matchers (DCQL, Presentation Exchange) see of a stored credential.

- :class:`HeldCredential` is one credential as a matcher sees it: format, types, the holder's
  full processed claims and which concrete claim paths are selectively disclosable.
- :func:`parse_path` and :func:`select` implement the claims path pointer of OpenID4VP 1.0
  §7 (JSON-based credentials, §7.1.1) with the mdoc restriction of §7.2.1.
- :func:`same_format` says when a held credential answers a requested format: the SD-JWT VC
  media type was renamed from ``vc+sd-jwt`` to ``dc+sd-jwt`` (SD-JWT VC draft history;
  OpenID4VP 1.0 Appendix B.3.1 uses ``dc+sd-jwt``, draft 21 Appendix B.4 ``vc+sd-jwt``). The
  data model did not change, so a credential stored under either name answers a query for
  either name; the presentation itself keeps the credential's own ``typ``.

Matching never raises for what a credential lacks: a claim that cannot be found is simply
absent (OpenID4VP 1.0 §7.1.1 step 2/3 "abort processing and return an error" is read as "the
claim does not exist in this credential"). Only a malformed *request* raises
:class:`~wallet_core.errors.PresentationRequestError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wallet_core.errors import PresentationRequestError
from wallet_core.formats import sd_jwt_vc
from wallet_core.models import ClaimPath, StoredCredential

SD_JWT_VC_FORMATS = frozenset({"dc+sd-jwt", "vc+sd-jwt"})
MDOC_FORMAT = "mso_mdoc"
W3C_FORMATS = frozenset({"jwt_vc_json", "ldp_vc"})
#: Formats whose presentations can leave claims out (SD-JWT disclosures, mdoc data elements).
SELECTIVE_DISCLOSURE_FORMATS = SD_JWT_VC_FORMATS | {MDOC_FORMAT}

# Claims that describe the credential rather than the holder: type, issuer, validity, binding
# and status. They are in every presentation (SD-JWT VC §3.2.2.2 forbids making the SD-JWT VC
# ones selectively disclosable), so a request that tests them selects a credential but asks
# for nothing to be disclosed.
_SD_JWT_VC_METADATA = sd_jwt_vc.NEVER_DISCLOSABLE | {"iat", "_sd_alg"}
_W3C_METADATA = frozenset(
    {
        "@context",
        "id",
        "type",
        "issuer",
        "issuanceDate",
        "validFrom",
        "validUntil",
        "expirationDate",
        "credentialStatus",
        "credentialSchema",
        "proof",
    }
)
_JWT_REGISTERED = frozenset({"iss", "nbf", "exp", "iat", "jti"})


@dataclass(frozen=True)
class HeldCredential:
    """One stored credential as the matchers see it.

    ``types``: for SD-JWT VC the ``vct`` plus ``aka_vcts`` (and, when the wallet resolved Type
    Metadata, the types it ``extends``: OpenID4VP 1.0 Appendix B.3.5 lets a Wallet return
    credentials that inherit from a requested type); for mdoc the doctype; for W3C VCs the
    fully expanded type IRIs (Appendix B.1.1). ``claims`` is the holder's full processed
    claim tree (for ``jwt_vc_json`` the JWT payload, so ``$.vc.type`` resolves).
    ``disclosable`` holds the concrete paths that are selectively disclosable. ``alg`` is the
    issuer signature algorithm when known (checked against PE ``sd-jwt_alg_values``/``alg``).
    """

    id: str
    format: str
    types: tuple[str, ...]
    claims: Mapping[str, Any] = field(repr=False, hash=False)
    disclosable: frozenset[ClaimPath] = frozenset()
    holder_binding: bool = True
    alg: str | None = None

    @classmethod
    def from_sd_jwt_vc(
        cls,
        credential_id: str,
        credential: str | sd_jwt_vc.SdJwtVc,
        *,
        format: str = "dc+sd-jwt",
        extra_types: Iterable[str] = (),
    ) -> HeldCredential:
        """Build from a stored SD-JWT VC (the raw text verified at receipt, or its parsed view).

        Raises the :mod:`wallet_core.formats` errors (all ``WalletError``) for a bad text.
        """
        parsed = sd_jwt_vc.read_stored(credential) if isinstance(credential, str) else credential
        claims = parsed.claims
        alg = parsed.sd_jwt.header.get("alg")
        return cls(
            id=credential_id,
            format=format,
            types=_unique((*parsed.types, *extra_types)),
            claims=claims,
            disclosable=frozenset(claim.path for claim in parsed.sd_jwt.disclosable),
            holder_binding=isinstance(claims.get("cnf"), Mapping),
            alg=alg if isinstance(alg, str) else None,
        )

    @classmethod
    def from_stored(
        cls, stored: StoredCredential, *, extra_types: Iterable[str] = ()
    ) -> HeldCredential:
        """Build from the wallet's stored record: SD-JWT VCs from their raw text, others from
        the stored claims (nothing selectively disclosable; bound when the wallet holds a key).
        """
        if stored.format in SD_JWT_VC_FORMATS and stored.raw:
            return cls.from_sd_jwt_vc(
                stored.id, stored.raw, format=stored.format, extra_types=extra_types
            )
        types = (stored.type,) if stored.type else ()
        return cls(
            id=stored.id,
            format=stored.format,
            types=_unique((*types, *extra_types)),
            claims=stored.claims,
            holder_binding=stored.key_id is not None,
        )


def same_format(requested: str, held: str) -> bool:
    """Whether a credential stored as ``held`` answers a request for format ``requested``."""
    if requested == held:
        return True
    return requested in SD_JWT_VC_FORMATS and held in SD_JWT_VC_FORMATS


def is_metadata_path(credential_format: str, path: ClaimPath) -> bool:
    """Whether ``path`` points at credential metadata (type, issuer, validity, status, key).

    Such claims are in every presentation of the credential; they select credentials but are
    not claims to disclose.
    """
    if not path:
        return False
    head = path[0]
    if credential_format in SD_JWT_VC_FORMATS:
        return head in _SD_JWT_VC_METADATA
    if credential_format in W3C_FORMATS:
        if head == "vc" and len(path) > 1:
            return path[1] in _W3C_METADATA
        return head in _W3C_METADATA or (
            credential_format == "jwt_vc_json" and head in _JWT_REGISTERED
        )
    return False


# -- claims path pointers (OpenID4VP 1.0 §7) -----------------------------------------------


def parse_path(value: Any, where: str = "path") -> ClaimPath:
    """Validate a claims path pointer from a request: a non-empty array of strings, nulls and
    non-negative integers (OpenID4VP 1.0 §7). Raises ``PresentationRequestError``.
    """
    if not isinstance(value, list) or not value:
        raise PresentationRequestError(f"{where} must be a non-empty array")
    for index, component in enumerate(value):
        if not _valid_component(component):
            raise PresentationRequestError(
                f"{where}[{index}] must be a string, null or a non-negative integer"
            )
    return tuple(value)


def select(claims: Any, path: ClaimPath) -> tuple[tuple[ClaimPath, Any], ...]:
    """Process a claims path pointer (OpenID4VP 1.0 §7.1.1) against a JSON claim tree.

    Returns the selected elements as ``(concrete path, value)`` pairs, the concrete path
    having an index where the pointer has ``null``. Where §7.1.1 says "abort processing and
    return an error" (a key applied to a non-object, an index or null to a non-array, an empty
    selection) the result is empty: the claim does not exist. A component that is not a
    string, null or non-negative integer raises ``PresentationRequestError``.
    """
    _check_components(path)
    selection: list[tuple[ClaimPath, Any]] = [((), claims)]
    for component in path:
        step: list[tuple[ClaimPath, Any]] = []
        for where, element in selection:
            if isinstance(component, str):
                if not isinstance(element, Mapping):
                    return ()
                if component in element:
                    step.append(((*where, component), element[component]))
            elif not isinstance(element, list | tuple):
                return ()
            elif component is None:
                step.extend(((*where, i), item) for i, item in enumerate(element))
            elif component < len(element):
                step.append(((*where, component), element[component]))
        selection = step
    return tuple(selection)


def select_for(held: HeldCredential, path: ClaimPath) -> tuple[tuple[ClaimPath, Any], ...]:
    """:func:`select` with the format's own pointer rules: an mdoc pointer is exactly a
    namespace and a data element identifier (OpenID4VP 1.0 §7.2.1), otherwise nothing.
    """
    if held.format == MDOC_FORMAT and (
        len(path) != 2 or not all(isinstance(part, str) for part in path)
    ):
        _check_components(path)
        return ()
    return select(held.claims, path)


def path_sort_key(path: ClaimPath) -> tuple[tuple[int, str | int], ...]:
    """A total order on claim paths (mixed str/int/None) for stable output."""
    return tuple(
        (0, part) if isinstance(part, str) else (1, part) if isinstance(part, int) else (2, 0)
        for part in path
    )


def covers(outer: ClaimPath, inner: ClaimPath) -> bool:
    """Whether disclosing ``outer`` already discloses ``inner`` (it is ``inner`` or above it;
    ``None`` in ``outer`` stands for any index).
    """
    if len(outer) > len(inner):
        return False
    return all(
        o == i or (o is None and isinstance(i, int) and not isinstance(i, bool))
        for o, i in zip(outer, inner, strict=False)
    )


def dedupe(paths: Iterable[ClaimPath]) -> tuple[ClaimPath, ...]:
    """Paths in first-seen order without repeats."""
    return tuple(dict.fromkeys(paths))


def _check_components(path: ClaimPath) -> None:
    if not isinstance(path, tuple) or not path:
        raise PresentationRequestError("a claims path pointer must be a non-empty tuple")
    if not all(_valid_component(component) for component in path):
        raise PresentationRequestError(
            "a claims path component must be a string, null or a non-negative integer"
        )


def _valid_component(component: Any) -> bool:
    if component is None or isinstance(component, str):
        return True
    return isinstance(component, int) and not isinstance(component, bool) and component >= 0


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
