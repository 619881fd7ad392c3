"""The DCQL query the employer sends, and checking a presentation against it (§6, §8.6).

One Credential Query, id ``microcredential``, format ``dc+sd-jwt``, ``meta.vct_values`` from
the settings. The employer needs the title, the awarding body, the workload and the level;
the grade it would like but can do without. DCQL has no "optional claim", so optionality is
written the way §6.4.1 intends, as ``claim_sets`` in order of preference::

    claim_sets: [[title, awardingBody, notionalWorkload, level, grade],
                 [title, awardingBody, notionalWorkload, level]]

A wallet returns the first option it can satisfy, i.e. the grade whenever the credential has
one (the demo issuer's "Circulair ontwerpen" does, the other two microcredentials do not).
Whether a wallet lets its user drop the grade anyway is up to the wallet (§6.4.1 allows it
to deviate "for UX reasons"); this verifier accepts either option.

A presentation passes when its disclosed claims cover at least one claim set (§8.6 step
2.2); ``Proven.claim_set`` says which (the first covered one). Disclosures nobody asked
for are accepted (the holder chose to share them) but listed as ``unrequested``, so a
wallet test can see that a wallet leaked nothing unselected.

Open Badges (OpenID4VP 1.0 Appendix B.1): a transaction may instead ask for an Open Badge
3.0 (``query`` ``openbadge``: either format, as ``credential_sets`` options;
``openbadge_jwt`` / ``openbadge_ldp``: one format). Credential query ids ``openbadge_jwt``
(``jwt_vc_json``) and ``openbadge_ldp`` (``ldp_vc``), ``meta.type_values``
``[["OpenBadgeCredential"], [<its expanded IRI>]]`` (B.1.1: a VC-JWT's types are compared
as they are, a JSON-LD credential's expanded), one claim: the achievement's name
(B.1.2: claims paths start at the credential). A W3C presentation carries the whole
credential, so there are no claim sets to meet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

QUERY_ID = "microcredential"
FORMAT = "dc+sd-jwt"
REQUIRED_CLAIMS: tuple[str, ...] = ("title", "awardingBody", "notionalWorkload", "level")
OPTIONAL_CLAIMS: tuple[str, ...] = ("grade",)
CLAIM_SETS: tuple[tuple[str, ...], ...] = (
    (*REQUIRED_CLAIMS, *OPTIONAL_CLAIMS),
    REQUIRED_CLAIMS,
)
REQUESTED: tuple[str, ...] = (*REQUIRED_CLAIMS, *OPTIONAL_CLAIMS)

# Labels for the result page (nl / en).
LABELS: Mapping[str, tuple[str, str]] = {
    "title": ("Titel", "Title"),
    "awardingBody": ("Uitgevende instelling", "Awarding body"),
    "notionalWorkload": ("Studielast", "Workload"),
    "level": ("Niveau", "Level"),
    "grade": ("Cijfer", "Grade"),
}


QueryKind = Literal["microcredential", "openbadge", "openbadge_jwt", "openbadge_ldp"]
QUERY_KINDS: tuple[QueryKind, ...] = (
    "microcredential",
    "openbadge",
    "openbadge_jwt",
    "openbadge_ldp",
)
OB3_JWT_QUERY = "openbadge_jwt"
OB3_LDP_QUERY = "openbadge_ldp"
OB3_TYPE = "OpenBadgeCredential"
OB3_TYPE_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
#: credential query id -> its format
OB3_FORMATS: Mapping[str, str] = {OB3_JWT_QUERY: "jwt_vc_json", OB3_LDP_QUERY: "ldp_vc"}
ACHIEVEMENT_NAME = ("credentialSubject", "achievement", "name")


def query_ids(kind: QueryKind) -> tuple[str, ...]:
    """The credential query ids a transaction of ``kind`` asks (any one answers it)."""
    if kind == "microcredential":
        return (QUERY_ID,)
    if kind == "openbadge":
        return (OB3_JWT_QUERY, OB3_LDP_QUERY)
    return (kind,)


def _open_badge_query(query_id: str) -> dict[str, Any]:
    return {
        "id": query_id,
        "format": OB3_FORMATS[query_id],
        "meta": {"type_values": [[OB3_TYPE], [OB3_TYPE_IRI]]},
        "claims": [{"id": "achievement", "path": list(ACHIEVEMENT_NAME)}],
    }


def dcql_query(vct_values: Iterable[str], kind: QueryKind = "microcredential") -> dict[str, Any]:
    if kind != "microcredential":
        ids = query_ids(kind)
        query: dict[str, Any] = {"credentials": [_open_badge_query(i) for i in ids]}
        if len(ids) > 1:
            # §6.2: one credential set, its options the formats: any one answers
            query["credential_sets"] = [{"options": [[i] for i in ids], "required": True}]
        return query
    return {
        "credentials": [
            {
                "id": QUERY_ID,
                "format": FORMAT,
                "meta": {"vct_values": list(vct_values)},
                # claim ids equal the claim names: readable, and unique as §6.3 requires
                "claims": [{"id": name, "path": [name]} for name in REQUESTED],
                "claim_sets": [list(option) for option in CLAIM_SETS],
            }
        ]
    }


def satisfied_claim_set(disclosed: Iterable[str]) -> int | None:
    """Index of the first claim set the disclosed claim names cover, else None."""
    names = set(disclosed)
    for index, option in enumerate(CLAIM_SETS):
        if names.issuperset(option):
            return index
    return None
