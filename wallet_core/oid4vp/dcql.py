"""Digital Credentials Query Language (OpenID4VP 1.0 §6): parse a ``dcql_query`` and match it.

:func:`parse_query` validates the whole query (§6, §6.1-§6.3, §7 and the ``meta`` rules of
Appendix B) and raises :class:`~wallet_core.errors.PresentationRequestError` for anything
invalid. Unknown properties are ignored (§6 note).

:func:`match` evaluates it against the wallet's :class:`~.claims.HeldCredential` list
(§6.4). Decisions, with the rule each follows:

- Formats: a ``dc+sd-jwt`` query is answered by SD-JWT VCs stored as ``dc+sd-jwt`` or as the
  legacy ``vc+sd-jwt`` (same data model, renamed media type; see
  :mod:`wallet_core.formats.sd_jwt_vc`). ``meta`` is REQUIRED on every Credential Query
  (§6.1) and parsed by the format's rules (:mod:`wallet_core.formats.rules`):
  ``vct_values`` for SD-JWT VC (B.3.5), matched against ``vct``, ``aka_vcts`` and any
  inherited type the wallet put in ``HeldCredential.types``; ``doctype_value`` for
  ``mso_mdoc`` (B.2.3); ``type_values`` for ``jwt_vc_json``/``ldp_vc`` (B.1.1: one inner
  array must be a subset of the credential's expanded types). An unknown format matches
  only with an empty ``meta``.
- ``require_cryptographic_holder_binding`` (default true, §6.1): credentials without holder
  binding (no ``cnf``) are not candidates then (B.3).
- ``trusted_authorities`` is validated and kept on the query but not evaluated: the wallet
  has no AKI/trust-list/federation view of its credentials yet, and the rule is a SHOULD.
- Claims (§6.4.1): no ``claims`` -> the candidate's ``required_claims`` is empty (only what is
  mandatory to present goes out). ``claims`` without ``claim_sets`` -> every claim must exist.
  With ``claim_sets`` -> the first option (verifier order) the credential satisfies wins and
  its claims, in ``claims`` order, are the ``required_claims``. A credential that satisfies
  nothing is not a candidate. Duplicate claim queries are ignored (§6.1).
- ``values`` (§6.3, §6.4.1): a claim whose value does not match (type and value exactly; an
  integer-valued float counts as the integer) is treated as absent. For a pointer with
  ``null`` the claim exists when at least one selected element matches, and the requested
  paths become the concrete paths of the matching elements only, so non-matching array
  elements are not disclosed.
- ``optional_claims`` is always empty for DCQL: §6.4 forbids sending selectively
  disclosable claims that were not selected, and §6.4.1 says ``claim_sets`` are not options
  for the End-User. A UI or wallet that wants to deviate from the verifier's first choice
  (allowed by §6.4.1 for UX reasons) gets every satisfiable option from
  :func:`claim_alternatives`.
- Credential sets (§6.2, §6.4.2): without ``credential_sets`` every query is required. With
  them, a query is ``required`` when it appears in an option of a required set; a query used
  only by optional sets, or by none, is not. ``satisfiable`` is true when every required set
  has an option whose queries all have a candidate (the same credential may serve several
  queries, §6.1). :func:`satisfiable_options` tells which options those are.
- ``multiple`` is reported on the :class:`~wallet_core.models.QueryMatch`; every matching
  credential is listed as a candidate either way.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wallet_core.errors import PresentationRequestError
from wallet_core.formats.registry import answers, rules_for
from wallet_core.formats.rules import string_list
from wallet_core.formats.seam import HeldCredential, TypeFilter
from wallet_core.models import Candidate, ClaimPath, PresentationMatch, QueryMatch
from wallet_core.oid4vp.claims import dedupe, parse_path, select_for

_ID = re.compile(r"[A-Za-z0-9_-]+")
Value = str | int | bool


@dataclass(frozen=True)
class ClaimsQuery:
    """One entry of ``claims`` (§6.3); ``intent_to_retain`` is the mdoc parameter (B.2.4)."""

    path: ClaimPath
    id: str | None = None
    values: tuple[Value, ...] | None = None
    intent_to_retain: bool | None = None


@dataclass(frozen=True)
class TrustedAuthority:
    """One entry of ``trusted_authorities`` (§6.1.1)."""

    type: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class CredentialQuery:
    """One entry of ``credentials`` (§6.1) with its format's ``meta`` parsed (Appendix B)."""

    id: str
    format: str
    #: the format's ``meta`` (Appendix B), parsed by the format's own rules
    types: TypeFilter = field(compare=False)
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    multiple: bool = False
    require_cryptographic_holder_binding: bool = True
    claims: tuple[ClaimsQuery, ...] | None = None
    claim_sets: tuple[tuple[str, ...], ...] | None = None
    trusted_authorities: tuple[TrustedAuthority, ...] | None = None


@dataclass(frozen=True)
class CredentialSetQuery:
    """One entry of ``credential_sets`` (§6.2)."""

    options: tuple[tuple[str, ...], ...]
    required: bool = True


@dataclass(frozen=True)
class DcqlQuery:
    credentials: tuple[CredentialQuery, ...]
    credential_sets: tuple[CredentialSetQuery, ...] | None = None

    def credential(self, query_id: str) -> CredentialQuery:
        for query in self.credentials:
            if query.id == query_id:
                return query
        raise PresentationRequestError(f"the query has no credential query {query_id!r}")


# -- parsing ---------------------------------------------------------------------------------


def parse_query(document: Any) -> DcqlQuery:
    """Validate a DCQL query object (§6) and return its typed form.

    Raises ``PresentationRequestError`` naming the offending member.
    """
    if not isinstance(document, Mapping):
        raise PresentationRequestError("dcql_query must be a JSON object")
    raw_credentials = _non_empty_list(document.get("credentials"), "credentials")
    credentials = tuple(
        _credential_query(raw, f"credentials[{index}]") for index, raw in enumerate(raw_credentials)
    )
    ids = [query.id for query in credentials]
    duplicates = sorted({query_id for query_id in ids if ids.count(query_id) > 1})
    if duplicates:
        raise PresentationRequestError(f"credential query id {duplicates[0]!r} is not unique")
    credential_sets = None
    if "credential_sets" in document:
        raw_sets = _non_empty_list(document["credential_sets"], "credential_sets")
        credential_sets = tuple(
            _credential_set(raw, f"credential_sets[{index}]", set(ids))
            for index, raw in enumerate(raw_sets)
        )
    return DcqlQuery(credentials=credentials, credential_sets=credential_sets)


def _credential_query(raw: Any, where: str) -> CredentialQuery:
    if not isinstance(raw, Mapping):
        raise PresentationRequestError(f"{where} must be an object")
    query_id = _identifier(raw.get("id"), f"{where}.id")
    credential_format = raw.get("format")
    if not isinstance(credential_format, str) or not credential_format:
        raise PresentationRequestError(f"{where}.format must be a non-empty string")
    multiple = _optional_bool(raw, "multiple", where, default=False)
    binding = _optional_bool(raw, "require_cryptographic_holder_binding", where, default=True)
    if "meta" not in raw:
        raise PresentationRequestError(f"{where}.meta is required")
    meta = raw["meta"]
    if not isinstance(meta, Mapping):
        raise PresentationRequestError(f"{where}.meta must be an object")
    types = rules_for(credential_format).type_filter(meta, f"{where}.meta")
    authorities = None
    if "trusted_authorities" in raw:
        entries = _non_empty_list(raw["trusted_authorities"], f"{where}.trusted_authorities")
        authorities = tuple(
            _trusted_authority(entry, f"{where}.trusted_authorities[{index}]")
            for index, entry in enumerate(entries)
        )
    claims = None
    if "claims" in raw:
        entries = _non_empty_list(raw["claims"], f"{where}.claims")
        claims = tuple(
            _claims_query(entry, f"{where}.claims[{index}]") for index, entry in enumerate(entries)
        )
        claim_ids = [claim.id for claim in claims if claim.id is not None]
        repeated = sorted({cid for cid in claim_ids if claim_ids.count(cid) > 1})
        if repeated:
            raise PresentationRequestError(f"{where}: claim id {repeated[0]!r} is not unique")
    claim_sets = None
    if "claim_sets" in raw:
        if claims is None:
            raise PresentationRequestError(f"{where}.claim_sets needs claims")
        if any(claim.id is None for claim in claims):
            raise PresentationRequestError(f"{where}: every claim needs an id with claim_sets")
        known = {claim.id for claim in claims}
        options = _non_empty_list(raw["claim_sets"], f"{where}.claim_sets")
        claim_sets = tuple(
            _id_option(option, f"{where}.claim_sets[{index}]", known, allow_empty=True)
            for index, option in enumerate(options)
        )
    return CredentialQuery(
        id=query_id,
        format=credential_format,
        meta=dict(meta),
        multiple=multiple,
        require_cryptographic_holder_binding=binding,
        claims=claims,
        claim_sets=claim_sets,
        trusted_authorities=authorities,
        types=types,
    )


def _claims_query(raw: Any, where: str) -> ClaimsQuery:
    if not isinstance(raw, Mapping):
        raise PresentationRequestError(f"{where} must be an object")
    claim_id = _identifier(raw["id"], f"{where}.id") if "id" in raw else None
    if "path" not in raw:
        raise PresentationRequestError(f"{where}.path is required")
    path = parse_path(raw["path"], f"{where}.path")
    values = None
    if "values" in raw:
        entries = _non_empty_list(raw["values"], f"{where}.values")
        values = tuple(_scalar(value, f"{where}.values[{i}]") for i, value in enumerate(entries))
    retain = raw.get("intent_to_retain")
    if retain is not None and not isinstance(retain, bool):
        raise PresentationRequestError(f"{where}.intent_to_retain must be a boolean")
    return ClaimsQuery(path=path, id=claim_id, values=values, intent_to_retain=retain)


def _credential_set(raw: Any, where: str, known: set[str]) -> CredentialSetQuery:
    if not isinstance(raw, Mapping):
        raise PresentationRequestError(f"{where} must be an object")
    options = _non_empty_list(raw.get("options"), f"{where}.options")
    return CredentialSetQuery(
        options=tuple(
            _id_option(option, f"{where}.options[{index}]", known, allow_empty=False)
            for index, option in enumerate(options)
        ),
        required=_optional_bool(raw, "required", where, default=True),
    )


def _trusted_authority(raw: Any, where: str) -> TrustedAuthority:
    if not isinstance(raw, Mapping):
        raise PresentationRequestError(f"{where} must be an object")
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind:
        raise PresentationRequestError(f"{where}.type must be a non-empty string")
    return TrustedAuthority(type=kind, values=string_list(raw.get("values"), f"{where}.values"))


def _id_option(
    raw: Any, where: str, known: Container[str | None], *, allow_empty: bool
) -> tuple[str, ...]:
    if not isinstance(raw, list) or (not raw and not allow_empty):
        raise PresentationRequestError(f"{where} must be a non-empty array of ids")
    for index, item in enumerate(raw):
        if not isinstance(item, str) or item not in known:
            raise PresentationRequestError(f"{where}[{index}] is not a known id")
    return tuple(raw)


def _identifier(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise PresentationRequestError(
            f"{where} must be a non-empty string of letters, digits, '_' or '-'"
        )
    return value


def _optional_bool(raw: Mapping[str, Any], key: str, where: str, *, default: bool) -> bool:
    if key not in raw:
        return default
    value = raw[key]
    if not isinstance(value, bool):
        raise PresentationRequestError(f"{where}.{key} must be a boolean")
    return value


def _non_empty_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise PresentationRequestError(f"{where} must be a non-empty array")
    return value


def _scalar(value: Any, where: str) -> Value:
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise PresentationRequestError(f"{where} must be a string, an integer or a boolean")


# -- matching --------------------------------------------------------------------------------


def match(query: DcqlQuery, held: Sequence[HeldCredential]) -> PresentationMatch:
    """Which held credentials answer each Credential Query, and can the request be met (§6.4)."""
    required_ids = _required_ids(query)
    queries: dict[str, QueryMatch] = {}
    for credential_query in query.credentials:
        ranked: list[tuple[int, Candidate]] = []
        for credential in held:
            found = _ranked_alternatives(credential_query, credential)
            if found:
                options = tuple(paths for _, paths in found)
                renamed = credential.format != credential_query.format
                unmet = _absent_preferred(credential_query, credential)
                candidate = Candidate(credential.id, options[0], (), options[1:], renamed, unmet)
                ranked.append((found[0][0], candidate))
        # first the credentials that meet the verifier's most preferred claim set: the one
        # a screen offers by default (stable, so held order breaks ties)
        ranked.sort(key=lambda item: item[0])
        candidates = _exact_format_first([candidate for _, candidate in ranked])
        queries[credential_query.id] = QueryMatch(
            candidates=tuple(candidates),
            required=credential_query.id in required_ids,
            multiple=credential_query.multiple,
        )
    unjudged = PresentationMatch(queries=queries)
    per_set = zip(_sets(query), satisfiable_options(query, unjudged), strict=True)
    satisfiable = all(options for credential_set, options in per_set if credential_set.required)
    return PresentationMatch(queries=queries, satisfiable=satisfiable)


def _exact_format_first(candidates: list[Candidate]) -> list[Candidate]:
    """Credentials of the exact format asked for; one held under another name of it (a
    draft-era ``vc+sd-jwt`` for ``dc+sd-jwt``) only when there is none, since verifiers
    that check the format identifier strictly refuse it (OWF ``dcql``: "Expected credential
    format to be 'dc+sd-jwt'")."""
    exact = [c for c in candidates if not c.other_format_name]
    return exact or candidates


def claim_alternatives(
    query: CredentialQuery, credential: HeldCredential
) -> tuple[tuple[ClaimPath, ...], ...]:
    """Every way ``credential`` can answer ``query``: the requested claim paths per satisfiable
    ``claim_sets`` option, in the verifier's order of preference (§6.4.1). Empty when the
    credential does not match (format, ``meta``, holder binding, missing or mismatching claims);
    ``((),)`` when it matches and no claims are requested.
    """
    return tuple(paths for _, paths in _ranked_alternatives(query, credential))


def _absent_preferred(query: CredentialQuery, credential: HeldCredential) -> tuple[ClaimPath, ...]:
    """The claims of the first ``claim_sets`` option that ``credential`` does not hold at
    all (one it holds with another value than asked is not "missing")."""
    if not query.claims or not query.claim_sets:
        return ()
    preferred = set(query.claim_sets[0])
    return tuple(
        claim.path
        for claim in query.claims
        if claim.id in preferred and not select_for(credential, claim.path)
    )


def _ranked_alternatives(
    query: CredentialQuery, credential: HeldCredential
) -> list[tuple[int, tuple[ClaimPath, ...]]]:
    """:func:`claim_alternatives`, each with its place in ``claim_sets`` (0: preferred)."""
    if not _credential_matches(query, credential):
        return []
    if query.claims is None:
        return [(0, ())]
    found: list[tuple[ClaimPath, ...] | None] = [
        _resolve(claim, credential) for claim in query.claims
    ]
    if query.claim_sets is None:
        if any(paths is None for paths in found):
            return []
        return [(0, dedupe(path for paths in found if paths for path in paths))]
    options: list[tuple[int, tuple[ClaimPath, ...]]] = []
    for rank, option in enumerate(query.claim_sets):
        wanted = set(option)
        chosen = [
            paths for claim, paths in zip(query.claims, found, strict=True) if claim.id in wanted
        ]
        if any(paths is None for paths in chosen):
            continue
        options.append((rank, dedupe(path for paths in chosen if paths for path in paths)))
    return options


def satisfiable_options(
    query: DcqlQuery, result: PresentationMatch
) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Per credential set (an implicit single set of all queries without ``credential_sets``),
    the options whose every Credential Query has at least one candidate (§6.4.2).
    """
    return tuple(
        tuple(
            option
            for option in credential_set.options
            if all(result.candidates(query_id) for query_id in option)
        )
        for credential_set in _sets(query)
    )


def unmet_sets(query: DcqlQuery, chosen: Collection[str]) -> list[CredentialSetQuery]:
    """The required credential sets (§6.2) that no option of is wholly in ``chosen``.

    Without ``credential_sets`` the one implicit set asks for every Credential Query.
    """
    return [
        credential_set
        for credential_set in _sets(query)
        if credential_set.required
        and not any(set(option) <= set(chosen) for option in credential_set.options)
    ]


def _sets(query: DcqlQuery) -> tuple[CredentialSetQuery, ...]:
    if query.credential_sets is not None:
        return query.credential_sets
    return (CredentialSetQuery(options=(tuple(q.id for q in query.credentials),)),)


def _required_ids(query: DcqlQuery) -> set[str]:
    return {
        query_id
        for credential_set in _sets(query)
        if credential_set.required
        for option in credential_set.options
        for query_id in option
    }


def _credential_matches(query: CredentialQuery, credential: HeldCredential) -> bool:
    if not answers(query.format, credential.format):
        return False
    if query.require_cryptographic_holder_binding and not credential.holder_binding:
        return False
    return query.types.accepts(credential.types)


def _resolve(claim: ClaimsQuery, credential: HeldCredential) -> tuple[ClaimPath, ...] | None:
    """The claim paths to disclose for one Claims Query, or None when the claim is absent."""
    selected = select_for(credential, claim.path)
    if not selected:
        return None
    if claim.values is None:
        return (claim.path,)
    expected = claim.values
    matching = [path for path, value in selected if any(_same(value, e) for e in expected)]
    if not matching:
        return None
    if None not in claim.path:
        return (claim.path,)
    return tuple(matching)


def _same(value: Any, expected: Value) -> bool:
    """Type and value equal, JSON-wise (§6.3): ``true`` is not ``1``, ``"1"`` is not ``1``."""
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool) and value == expected
    if isinstance(expected, int):
        if isinstance(value, float):
            return value.is_integer() and int(value) == expected
        return isinstance(value, int) and value == expected
    return isinstance(value, str) and value == expected
