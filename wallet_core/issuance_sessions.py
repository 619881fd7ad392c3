"""What the vault keeps of an issuance session to go on with it later: the access token, its
type, and for a DPoP-bound token the session's DPoP key (RFC 9449: the token is worthless
without proofs by that key). A deferred poll and the ``credential_deleted`` notification
come long after the conversation that got the token.

The DPoP key goes into the vault's key store like a holder key (the private key never
leaves ``wallet_core.crypto`` but for the encrypted vault and backups), and is deleted with
the last record that needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wallet_core.crypto.keys import signer_from_vault
from wallet_core.errors import NotFoundError
from wallet_core.oid4vci.client import IssuerClient
from wallet_core.oid4vci.responses import BEARER, TokenResponse
from wallet_core.storage.keys import DPOP, KeyRepository

DPOP_KEY = "dpop_key_id"


def record_of(issuer: IssuerClient, token: TokenResponse) -> dict[str, Any]:
    """The session as the vault keeps it (inside a pending or an issuance record)."""
    record: dict[str, Any] = {"access_token": token.access_token, "token_type": token.token_type}
    if token.bound and issuer.dpop is not None:
        record[DPOP_KEY] = issuer.dpop.signer.kid
    return record


def keep_key(
    keys: KeyRepository, issuer: IssuerClient, record: Mapping[str, Any], now: float
) -> None:
    """Store the session's DPoP key, once, when the record names it."""
    kid = record.get(DPOP_KEY)
    if issuer.dpop is None or kid != issuer.dpop.signer.kid:
        return
    try:
        keys.info(kid)
    except NotFoundError:
        keys.add_signer(issuer.dpop.signer, now, DPOP)


def resume(issuer: IssuerClient, record: Mapping[str, Any], keys: KeyRepository) -> TokenResponse:
    """The session's token, with ``issuer`` set to prove with its DPoP key again."""
    kid = record.get(DPOP_KEY)
    if isinstance(kid, str):
        issuer.use_dpop_key(signer_from_vault(keys.private_der(kid)))
    kind = record.get("token_type")
    return TokenResponse(
        access_token=str(record["access_token"]),
        token_type=kind if isinstance(kind, str) else BEARER,
    )


def forget_key(keys: KeyRepository, record: Mapping[str, Any]) -> None:
    kid = record.get(DPOP_KEY)
    if isinstance(kid, str):
        try:
            keys.delete(kid)
        except NotFoundError:
            return
