"""SD-JWT (RFC 9901): issue, present with Key Binding, verify; and a parsed view for the UI.

Claim paths are tuples in the OpenID4VP claims-path-pointer sense: ``str`` object keys,
``int`` array indexes (positions in the holder's fully disclosed view) and ``None`` for
"every element". Disclosing a path discloses that claim, everything beneath it and the
disclosures needed to reach it; nothing else.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from wallet_core.crypto import Signer, public_only, sign_compact, signer_from_jwk, verify_compact
from wallet_core.errors import (
    ClaimCollisionError,
    DuplicateDigestError,
    ExpiredCredentialError,
    MalformedCredentialError,
    MalformedDisclosureError,
    MissingHolderKeyError,
    MissingKeyBindingError,
    NotYetValidError,
    UnexpectedKeyBindingError,
    UnknownClaimPathError,
    UnreferencedDisclosureError,
    UnsupportedHashAlgorithmError,
)
from wallet_core.formats import key_binding
from wallet_core.formats.disclosures import (
    DEFAULT_HASH,
    Disclosure,
    decoy_digest,
    digest_length,
    hash_function,
    make_disclosure,
    parse_disclosure,
)
from wallet_core.formats.json_text import jwt_parts
from wallet_core.formats.sd_jwt_serialization import SerializedSdJwt, parse
from wallet_core.models import ClaimPath

JsonObject = dict[str, Any]
KeyResolver = Callable[[JsonObject, JsonObject], Mapping[str, Any]]
IssuerKey = Mapping[str, Any] | Signer | KeyResolver
HolderKey = Mapping[str, Any] | Signer

DEFAULT_LEEWAY = 60.0  # seconds of clock skew tolerated on exp, nbf and KB iat
DEFAULT_KB_MAX_AGE = 300.0


# -- the parsed view -----------------------------------------------------------------------


class DisclosableClaim(NamedTuple):
    path: ClaimPath
    digest: str
    parent: ClaimPath | None  # the nearest selectively disclosable ancestor, if any


@dataclass(frozen=True)
class SdJwt:
    """An SD-JWT whose signature has been checked, processed with the disclosures it carries."""

    serialized: SerializedSdJwt
    header: JsonObject
    payload: JsonObject  # the issuer-signed payload, digests and all
    disclosures: tuple[Disclosure, ...]
    hash_alg: str
    claims: JsonObject  # the Processed SD-JWT Payload
    disclosable: tuple[DisclosableClaim, ...]
    always_visible: tuple[ClaimPath, ...]
    paths: frozenset[ClaimPath]  # every claim path in ``claims``

    @property
    def nested(self) -> tuple[DisclosableClaim, ...]:
        """Disclosable claims that sit inside another disclosable claim."""
        return tuple(claim for claim in self.disclosable if claim.parent is not None)

    @functools.cached_property
    def _by_path(self) -> dict[ClaimPath, DisclosableClaim]:
        return {claim.path: claim for claim in self.disclosable}

    @functools.cached_property
    def _below(self) -> dict[ClaimPath, list[DisclosableClaim]]:
        """For every path, the disclosable claims at or beneath it."""
        index: dict[ClaimPath, list[DisclosableClaim]] = {}
        for claim in self.disclosable:
            for end in range(1, len(claim.path) + 1):
                index.setdefault(claim.path[:end], []).append(claim)
        return index

    def related(self, path: ClaimPath) -> list[DisclosableClaim]:
        """Disclosable claims on the way to ``path`` or beneath it."""
        if None not in path:
            above = [
                self._by_path[path[:end]]
                for end in range(1, len(path))
                if path[:end] in self._by_path
            ]
            return above + self._below.get(path, [])
        # with a wildcard, an ancestor is any element the pattern's prefix can stand for
        return [
            claim
            for claim in self.disclosable
            if _is_prefix(path, claim.path) or _matches(path[: len(claim.path)], claim.path)
        ]

    def has_path(self, path: ClaimPath) -> bool:
        if None not in path:
            return path in self.paths
        return any(_matches(path, known) for known in self.paths)

    @property
    def holder_jwk(self) -> Mapping[str, Any] | None:
        cnf = self.payload.get("cnf")
        jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
        return jwk if isinstance(jwk, dict) else None


# -- issue ---------------------------------------------------------------------------------


def issue(
    payload: Mapping[str, Any],
    disclosable: Iterable[ClaimPath] = (),
    *,
    issuer_key: Mapping[str, Any] | Signer,
    holder_jwk: Mapping[str, Any] | None = None,
    typ: str | None = "dc+sd-jwt",
    decoys: int = 0,
    hash_alg: str = DEFAULT_HASH,
    header: Mapping[str, Any] | None = None,
) -> str:
    """Sign ``payload`` with the claims at ``disclosable`` paths made selectively disclosable.

    A path below another disclosable path gives a recursive disclosure (§4.2.6).
    ``decoys`` decoy digests are added to every ``_sd`` array (§4.2.5). Returns the compact
    SD-JWT ``JWT~D1~...~Dn~``.
    """
    hash_function(hash_alg)
    patterns = _Patterns(tuple(path) for path in disclosable)
    made: list[Disclosure] = []
    body = _conceal(dict(payload), (), patterns, made, decoys, hash_alg)
    if not isinstance(body, dict):
        raise MalformedCredentialError("the payload must be an object")
    body["_sd_alg"] = hash_alg
    if holder_jwk is not None:
        body["cnf"] = {"jwk": public_only(holder_jwk)}
    signer = issuer_key if isinstance(issuer_key, Signer) else signer_from_jwk(issuer_key)
    protected = dict(header or {})
    if "kid" in protected and not isinstance(protected["kid"], str):
        raise MalformedCredentialError("kid must be a string (RFC 7515 §4.1.4)")
    if typ is not None:
        protected["typ"] = typ
    jwt = sign_compact(protected, body, signer)
    return jwt + "~" + "".join(f"{d.encoded}~" for d in made)


def _conceal(
    value: Any,
    path: ClaimPath,
    patterns: _Patterns,
    made: list[Disclosure],
    decoys: int,
    alg: str,
) -> Any:
    if isinstance(value, dict):
        out: JsonObject = {}
        digests: list[str] = []
        for key, child in value.items():
            if key in ("_sd", "...", "_sd_alg"):
                raise MalformedCredentialError(f"the claim name {key!r} is reserved by SD-JWT")
            inner = _conceal(child, (*path, key), patterns, made, decoys, alg)
            if (*path, key) in patterns:
                disclosure = make_disclosure(key, inner, alg)
                made.append(disclosure)
                digests.append(disclosure.digest)
            else:
                out[key] = inner
        if digests:
            digests += [decoy_digest(alg) for _ in range(decoys)]
            out["_sd"] = sorted(digests)  # sorted, so the order reveals nothing (§4.2.4.1)
        return out
    if isinstance(value, list):
        items: list[Any] = []
        for index, child in enumerate(value):
            inner = _conceal(child, (*path, index), patterns, made, decoys, alg)
            if (*path, index) in patterns:
                disclosure = make_disclosure(None, inner, alg)
                made.append(disclosure)
                items.append({"...": disclosure.digest})
            else:
                items.append(inner)
        return items
    return value


class _Patterns:
    """Disclosable paths, looked up per claim: exact paths by hash, wildcards by scan."""

    def __init__(self, paths: Iterable[ClaimPath]) -> None:
        self.exact: set[ClaimPath] = set()
        self.wildcards: list[ClaimPath] = []
        for path in paths:
            if None in path:
                self.wildcards.append(path)
            else:
                self.exact.add(path)

    def __contains__(self, path: ClaimPath) -> bool:
        return path in self.exact or any(_matches(p, path) for p in self.wildcards)


def _matches(pattern: ClaimPath, path: ClaimPath) -> bool:
    """``pattern`` names exactly ``path`` (``None`` stands for any array index)."""
    return len(pattern) == len(path) and all(
        p == q or (p is None and isinstance(q, int)) for p, q in zip(pattern, path, strict=True)
    )


def _is_prefix(pattern: ClaimPath, path: ClaimPath) -> bool:
    return len(pattern) <= len(path) and _matches(pattern, path[: len(pattern)])


# -- parse and verify ----------------------------------------------------------------------


def parse_verified(
    text: str,
    issuer_key: IssuerKey,
    *,
    now: float | None = None,
    leeway: float = DEFAULT_LEEWAY,
) -> SdJwt:
    """Verify the issuer signature and process every disclosure present (§7.1).

    Also checks ``exp``/``nbf`` if present. A Key Binding JWT, if any, is left to the caller.
    """
    serialized = parse(text)
    header, payload = _verify_issuer_signature(serialized, issuer_key)
    sd_jwt = _process(serialized, header, payload)
    _check_validity(sd_jwt.claims, time.time() if now is None else now, leeway)
    return sd_jwt


def parse_stored(text: str) -> SdJwt:
    """The holder's own copy, verified when it was received and kept in the vault since.

    No signature or time check: that is the job of ``parse_verified`` at receipt and of the
    verifier at presentation. Structure rules (§7.1 step 3-5) still apply.
    """
    serialized = parse(text)
    header, payload = jwt_parts(serialized.jwt, "issuer-signed JWT")
    return _process(serialized, header, payload)


def _process(serialized: SerializedSdJwt, header: JsonObject, payload: JsonObject) -> SdJwt:
    alg = payload.get("_sd_alg", DEFAULT_HASH)
    if not isinstance(alg, str):
        raise UnsupportedHashAlgorithmError("_sd_alg must be a string")
    hash_function(alg)
    disclosures = tuple(parse_disclosure(d, alg) for d in serialized.disclosures)
    processor = _Processor(disclosures, alg)
    claims = processor.object(payload, (), None, top=True)
    unused = [d for d in disclosures if d.digest not in processor.seen]
    if unused:
        raise UnreferencedDisclosureError(f"{len(unused)} disclosure(s) are not referenced")
    return SdJwt(
        serialized=serialized,
        header=header,
        payload=payload,
        disclosures=disclosures,
        hash_alg=alg,
        claims=claims,
        disclosable=tuple(processor.disclosable),
        always_visible=tuple(processor.visible),
        paths=frozenset(processor.paths),
    )


def verify_full(
    text: str,
    issuer_key: IssuerKey,
    aud: str | None = None,
    nonce: str | None = None,
    now: float | None = None,
    *,
    require_key_binding: bool | None = None,
    reject_key_binding: bool = False,
    kb_max_age: float = DEFAULT_KB_MAX_AGE,
    leeway: float = DEFAULT_LEEWAY,
) -> SdJwt:
    """Verify an SD-JWT or SD-JWT+KB; return it parsed, with the processed claims.

    Key Binding is required when ``require_key_binding`` is true, or, by default, when the
    caller names an ``aud`` or ``nonce`` to check: the decision follows the verifier's
    policy, never whether a KB-JWT happens to be present (§7.3 step 1). A holder receiving a
    credential from its issuer passes ``reject_key_binding=True`` (§7.2).
    """
    moment = time.time() if now is None else now
    sd_jwt = parse_verified(text, issuer_key, now=moment, leeway=leeway)
    kb_jwt = sd_jwt.serialized.kb_jwt
    if reject_key_binding and kb_jwt is not None:
        raise UnexpectedKeyBindingError("an issuer must not send an SD-JWT+KB")
    required = (
        (aud is not None or nonce is not None)
        if require_key_binding is None
        else require_key_binding
    )
    if required:
        if aud is None or nonce is None:
            # a KB-JWT proves little unless it is checked for this verifier and transaction
            raise MissingKeyBindingError("Key Binding is checked against both aud and nonce")
        if kb_jwt is None:
            raise MissingKeyBindingError("this presentation needs a Key Binding JWT")
        holder_jwk = sd_jwt.holder_jwk
        if holder_jwk is None:
            raise MissingHolderKeyError("the SD-JWT has no cnf.jwk to check Key Binding with")
        key_binding.verify(
            kb_jwt,
            sd_jwt.serialized.sd_jwt_compact(),
            sd_jwt.hash_alg,
            holder_jwk,
            aud=aud,
            nonce=nonce,
            now=moment,
            max_age=kb_max_age,
            leeway=leeway,
        )
    return sd_jwt


def verify(
    text: str,
    issuer_key: IssuerKey,
    aud: str | None = None,
    nonce: str | None = None,
    now: float | None = None,
    **options: Any,
) -> JsonObject:
    """The processed claims of a verified SD-JWT or SD-JWT+KB (see ``verify_full``)."""
    return verify_full(text, issuer_key, aud, nonce, now, **options).claims


def _verify_issuer_signature(
    serialized: SerializedSdJwt, issuer_key: IssuerKey
) -> tuple[JsonObject, JsonObject]:
    """The first signature that verifies wins (general JSON may carry several)."""
    failure: Exception | None = None
    for jwt in serialized.jwts:
        header, payload = jwt_parts(jwt, "issuer-signed JWT")
        if callable(issuer_key) and not isinstance(issuer_key, Signer | Mapping):
            jwk = issuer_key(header, payload)
        elif isinstance(issuer_key, Signer):
            jwk = issuer_key.public_jwk
        else:
            jwk = issuer_key
        try:
            verify_compact(jwt, jwk)
        except Exception as exc:
            failure = exc
            continue
        return header, payload
    assert failure is not None
    raise failure


def _check_validity(claims: Mapping[str, Any], now: float, leeway: float) -> None:
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise MalformedCredentialError(f"{name} must be a number")
    if claims.get("exp") is not None and now > claims["exp"] + leeway:
        raise ExpiredCredentialError("the credential has expired")
    if claims.get("nbf") is not None and now < claims["nbf"] - leeway:
        raise NotYetValidError("the credential is not valid yet")


class _Processor:
    """§7.1 step 3: replace digests by the disclosed claims, recording the structure."""

    def __init__(self, disclosures: Sequence[Disclosure], alg: str) -> None:
        self.by_digest: dict[str, Disclosure] = {}
        for disclosure in disclosures:
            if disclosure.digest in self.by_digest:
                raise DuplicateDigestError("the same disclosure is present twice")
            self.by_digest[disclosure.digest] = disclosure
        self.digest_length = digest_length(alg)
        self.seen: set[str] = set()  # every digest met; the disclosures used are among them
        self.disclosable: list[DisclosableClaim] = []
        self.visible: list[ClaimPath] = []
        self.paths: list[ClaimPath] = []

    def value(self, value: Any, path: ClaimPath, sd_parent: ClaimPath | None) -> Any:
        self.paths.append(path)
        kind = type(value)  # what json.loads makes: exact types, no subclasses
        if kind is dict:
            return self.object(value, path, sd_parent)
        if kind is list:
            return self.array(value, path, sd_parent)
        return value

    def _note(self, digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise MalformedCredentialError("a digest must be a string")
        if len(digest) != self.digest_length:
            raise UnsupportedHashAlgorithmError("a digest does not have the length _sd_alg gives")
        if digest in self.seen:
            raise DuplicateDigestError("a digest appears more than once")
        self.seen.add(digest)
        return self.by_digest.get(digest)  # None: a decoy, or a claim the presenter withheld

    def object(
        self,
        obj: Mapping[str, Any],
        path: ClaimPath,
        sd_parent: ClaimPath | None,
        top: bool = False,
    ) -> JsonObject:
        out: JsonObject = {}
        for key, child in obj.items():
            if key == "_sd":
                continue
            if key == "_sd_alg":
                if not top:
                    raise MalformedCredentialError("_sd_alg may appear at the top level only")
                continue
            if key == "...":
                raise MalformedCredentialError("'...' is reserved for array element digests")
            child_path = (*path, key)
            if sd_parent is None:
                self.visible.append(child_path)
            out[key] = self.value(child, child_path, sd_parent)
        digests = obj.get("_sd", [])
        if not isinstance(digests, list):
            raise MalformedCredentialError("_sd must be an array of digests")
        for digest in digests:
            disclosure = self._note(digest)
            if disclosure is None:
                continue
            if disclosure.name is None:
                raise MalformedDisclosureError("an array-element disclosure is referenced from _sd")
            if disclosure.name in out:
                raise ClaimCollisionError(f"the claim {disclosure.name!r} is disclosed twice")
            child_path = (*path, disclosure.name)
            self.disclosable.append(DisclosableClaim(child_path, disclosure.digest, sd_parent))
            out[disclosure.name] = self.value(disclosure.value, child_path, child_path)
        return out

    def array(
        self, items: Sequence[Any], path: ClaimPath, sd_parent: ClaimPath | None
    ) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if isinstance(item, dict) and "..." in item:
                if len(item) != 1:
                    raise MalformedCredentialError("an array digest element has other members")
                disclosure = self._note(item["..."])
                if disclosure is None:
                    continue
                if disclosure.name is not None:
                    raise MalformedDisclosureError("an object-property disclosure is in an array")
                child_path = (*path, len(out))
                self.disclosable.append(DisclosableClaim(child_path, disclosure.digest, sd_parent))
                out.append(self.value(disclosure.value, child_path, child_path))
            else:
                child_path = (*path, len(out))
                if sd_parent is None:
                    self.visible.append(child_path)
                out.append(self.value(item, child_path, sd_parent))
        return out


# -- present -------------------------------------------------------------------------------


def select_disclosures(sd_jwt: SdJwt, disclose: Iterable[ClaimPath]) -> list[Disclosure]:
    """The disclosures that reveal ``disclose`` (and what lies beneath) and nothing else."""
    wanted = [tuple(path) for path in disclose]
    for path in wanted:
        if not sd_jwt.has_path(path):
            raise UnknownClaimPathError(f"the credential has no claim at {list(path)!r}")
    by_digest = {d.digest: d for d in sd_jwt.disclosures}
    chosen: dict[str, Disclosure] = {}  # in the order asked for, each from the outside in
    for path in wanted:
        for claim in sorted(sd_jwt.related(path), key=lambda claim: len(claim.path)):
            chosen.setdefault(claim.digest, by_digest[claim.digest])
    return list(chosen.values())


def present(
    sd_jwt_text: str | SdJwt,
    disclose: Iterable[ClaimPath],
    holder_key: HolderKey | None = None,
    aud: str | None = None,
    nonce: str | None = None,
    *,
    issuer_key: IssuerKey | None = None,
    iat: int | None = None,
) -> str:
    """Build a presentation with only the chosen claims, plus a KB-JWT when a holder key is given.

    ``sd_jwt_text`` is the holder's stored SD-JWT (or an already parsed ``SdJwt``). Without
    ``issuer_key`` the stored credential is trusted as verified at receipt; with it, the
    signature is checked again.
    """
    sd_jwt = (
        sd_jwt_text
        if isinstance(sd_jwt_text, SdJwt)
        else _parse_for_holder(sd_jwt_text, issuer_key)
    )
    if sd_jwt.serialized.kb_jwt is not None:
        raise UnexpectedKeyBindingError("a stored credential must not carry a KB-JWT")
    chosen = [d.encoded for d in select_disclosures(sd_jwt, disclose)]
    kb_jwt = None
    if holder_key is not None:
        if aud is None or nonce is None:
            raise MissingKeyBindingError("Key Binding needs both aud and nonce")
        signer = holder_key if isinstance(holder_key, Signer) else signer_from_jwk(holder_key)
        kb_jwt = key_binding.create(
            sd_jwt.serialized.sd_jwt_compact(chosen),
            sd_jwt.hash_alg,
            signer,
            aud=aud,
            nonce=nonce,
            iat=int(time.time()) if iat is None else iat,
        )
    return sd_jwt.serialized.render(chosen, kb_jwt)


def _parse_for_holder(text: str, issuer_key: IssuerKey | None) -> SdJwt:
    return parse_stored(text) if issuer_key is None else parse_verified(text, issuer_key)
