"""The three ways an SD-JWT travels: compact, and JWS JSON flattened or general (RFC 9901 §4, §8).

Parsing yields the issuer-signed JWT(s) in compact form, the Disclosure strings and the
KB-JWT, whatever the input form, so the rest of the code handles one shape. The input
form is remembered so that a presentation goes back out the way the credential came in.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from wallet_core.errors import MalformedCredentialError

# "legacy" is the pre-RFC JSON layout (disclosures and kb_jwt as top-level members) that
# deployed libraries, the reference sd-jwt 0.10 among them, still produce.
Form = Literal["compact", "flattened", "general", "legacy"]
MAX_SIGNATURES = 4
MAX_LENGTH = 1_000_000  # far beyond any real credential; stops pathological input early


@dataclass(frozen=True)
class SerializedSdJwt:
    jwts: tuple[str, ...]  # the issuer-signed JWT; general JSON may carry several signatures
    disclosures: tuple[str, ...]
    kb_jwt: str | None
    form: Form = "compact"
    document: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def jwt(self) -> str:
        return self.jwts[0]

    def sd_jwt_compact(self, disclosures: Sequence[str] | None = None) -> str:
        """``JWT~D1~...~Dn~``: what ``sd_hash`` covers, in every form (§7.3, §8.1)."""
        chosen = self.disclosures if disclosures is None else disclosures
        return self.jwt + "~" + "".join(f"{d}~" for d in chosen)

    def render(self, disclosures: Sequence[str], kb_jwt: str | None) -> str:
        """This SD-JWT with other disclosures and a KB-JWT, in the form it arrived in."""
        if self.form == "compact" or self.document is None:
            return self.sd_jwt_compact(disclosures) + (kb_jwt or "")
        document = copy.deepcopy(self.document)
        if self.form == "legacy":
            members = document
        else:
            target = document if self.form == "flattened" else document["signatures"][0]
            members = target["header"] = dict(target.get("header") or {})
        members["disclosures"] = list(disclosures)
        members.pop("kb_jwt", None)
        if kb_jwt is not None:
            members["kb_jwt"] = kb_jwt
        return json.dumps(document, separators=(",", ":"))


def parse(text: str) -> SerializedSdJwt:
    if not isinstance(text, str) or not text:
        raise MalformedCredentialError("an SD-JWT must be a non-empty string")
    if len(text) > MAX_LENGTH:
        raise MalformedCredentialError("the SD-JWT is implausibly large")
    stripped = text.strip()
    if stripped.startswith("{"):
        return _parse_json(stripped)
    return _parse_compact(stripped)


def _parse_compact(text: str) -> SerializedSdJwt:
    parts = text.split("~")
    if len(parts) < 2:
        raise MalformedCredentialError("an SD-JWT must contain '~' after the issuer-signed JWT")
    jwt, disclosures, last = parts[0], parts[1:-1], parts[-1]
    _check_jws(jwt, "issuer-signed JWT")
    if any(not d for d in disclosures):
        raise MalformedCredentialError("an SD-JWT has an empty disclosure ('~~')")
    if last:
        _check_jws(last, "Key Binding JWT")
    return SerializedSdJwt((jwt,), tuple(disclosures), last or None)


def _parse_json(text: str) -> SerializedSdJwt:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MalformedCredentialError("the JSON-serialized SD-JWT is not valid JSON") from exc
    if not isinstance(document, dict) or not isinstance(document.get("payload"), str):
        raise MalformedCredentialError("a JWS JSON serialization needs a 'payload' string")
    payload = document["payload"]
    if "signatures" in document:
        signatures = document["signatures"]
        if not isinstance(signatures, list) or not 1 <= len(signatures) <= MAX_SIGNATURES:
            # each signature may cost a key lookup at the issuer: keep that bounded
            raise MalformedCredentialError(f"'signatures' must hold 1 to {MAX_SIGNATURES} entries")
        for later in signatures[1:]:
            header = later.get("header") if isinstance(later, dict) else None
            if isinstance(header, dict) and ({"disclosures", "kb_jwt"} & header.keys()):
                raise MalformedCredentialError(
                    "disclosures and kb_jwt belong in the first signature's header only (§8.2)"
                )
        form: Form = "general"
    else:
        signatures = [document]
        form = "flattened"
    jwts = tuple(_signature_as_compact(entry, payload) for entry in signatures)
    header = signatures[0].get("header") or {}
    if not isinstance(header, dict):
        raise MalformedCredentialError("the unprotected header must be an object")
    if "disclosures" in document and "disclosures" not in header:
        header, form = document, "legacy"
    disclosures = header.get("disclosures", [])
    if not isinstance(disclosures, list) or not all(isinstance(d, str) and d for d in disclosures):
        raise MalformedCredentialError("'disclosures' must be an array of strings")
    kb_jwt = header.get("kb_jwt")
    if kb_jwt is not None:
        if not isinstance(kb_jwt, str):
            raise MalformedCredentialError("'kb_jwt' must be a string")
        _check_jws(kb_jwt, "Key Binding JWT")
    return SerializedSdJwt(jwts, tuple(disclosures), kb_jwt, form, document)


def _signature_as_compact(entry: Any, payload: str) -> str:
    if not isinstance(entry, dict):
        raise MalformedCredentialError("a JWS signature entry must be an object")
    protected, signature = entry.get("protected"), entry.get("signature")
    if not isinstance(protected, str) or not isinstance(signature, str):
        raise MalformedCredentialError("a JWS signature needs 'protected' and 'signature'")
    jwt = f"{protected}.{payload}.{signature}"
    _check_jws(jwt, "issuer-signed JWT")
    return jwt


def _check_jws(token: str, what: str) -> None:
    if token.count(".") != 2:
        raise MalformedCredentialError(f"the {what} is not a compact JWS")
