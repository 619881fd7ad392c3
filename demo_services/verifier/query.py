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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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


def dcql_query(vct_values: Iterable[str]) -> dict[str, Any]:
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
