"""Is a credential's issuer one of the pilot's institutions? (assets/institutions.json)

The tie between an issuer and an entry is explicit and checkable: the Credential Issuer
URL (the verified ``iss`` of the credential) is https and its host is one of the entry's
domains or a subdomain of one. Nothing else (a display name, a logo) counts: those are
the issuer's own claims. In ``--demo`` mode the local demo institution is recognised as
what it is, a demo. An issuer not on the list is shown as "not recognised", never hidden.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.resources import files
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Institution:
    name: str
    kind: str  # "hogeschool", "university" or "demo"
    domain: str  # the domain that matched


@functools.cache
def _entries() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    document = json.loads((files("assets") / "institutions.json").read_text("utf-8"))
    return tuple(
        (entry["name"], entry["kind"], tuple(d.lower() for d in entry["domains"]))
        for entry in document["institutions"]
    )


def recognise(issuer: str, *, demo_issuer_url: str | None = None) -> Institution | None:
    if demo_issuer_url and issuer.rstrip("/") == demo_issuer_url.rstrip("/"):
        return Institution("Hogeschool Demo", "demo", urlsplit(issuer).netloc)
    parts = urlsplit(issuer)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme != "https" or not host:
        return None
    for name, kind, domains in _entries():
        for domain in domains:
            if host == domain or host.endswith("." + domain):
                return Institution(name, kind, domain)
    return None
