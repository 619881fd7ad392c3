"""Credential Offers (OpenID4VCI §4.1): by value or by reference, with their grants.

An offer is made for one student (the demo student unless the admin API names another).
The pre-authorized code, the transaction code and the ``issuer_state`` are random, expire
with the offer (10 minutes) and are single use. The transaction code is shown on the
issuer's page; a real issuer would send it through another channel (mail, SMS).

Both dialects share the offer shape: draft 13 already had ``credential_configuration_ids``
and ``tx_code`` (the ``credentials`` array and ``user_pin_required`` are draft 12 and older).
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any, Literal
from urllib.parse import quote

import qrcode

from demo_services.issuer.catalog import DEMO_STUDENT, Student
from demo_services.issuer.context import PRE_AUTHORIZED_GRANT, Issuer
from demo_services.issuer.state import Offer, PreAuthorizedGrant
from demo_services.issuer.tokens import numeric_code, random_token, short_id

Grant = Literal["pre-authorized", "authorization_code", "both"]
GRANTS: tuple[Grant, ...] = ("pre-authorized", "authorization_code", "both")
OFFER_SCHEME = "openid-credential-offer://"
TX_CODE_DESCRIPTION = (
    "Voer de code in die Hogeschool Demo toont / Enter the code shown by Hogeschool Demo"
)


class OfferRequestError(ValueError):
    pass


def create_offer(
    issuer: Issuer,
    configuration_ids: list[str],
    *,
    tx_code: bool,
    by_reference: bool,
    grant: Grant = "pre-authorized",
    student: Student = DEMO_STUDENT,
) -> Offer:
    if not configuration_ids:
        raise OfferRequestError("name at least one credential configuration")
    unknown = [cid for cid in configuration_ids if cid not in issuer.catalog]
    if unknown:
        raise OfferRequestError(f"unknown credential configuration(s): {', '.join(unknown)}")
    if len(set(configuration_ids)) != len(configuration_ids):
        raise OfferRequestError("credential_configuration_ids must be unique")
    if grant not in GRANTS:
        raise OfferRequestError(f"grant must be one of {', '.join(GRANTS)}")
    if tx_code and grant == "authorization_code":
        raise OfferRequestError("a transaction code belongs to the pre-authorized grant")

    settings = issuer.settings
    ids = tuple(configuration_ids)
    grants: dict[str, Any] = {}
    pre_code = code_value = issuer_state = None
    if grant in ("pre-authorized", "both"):
        pre_code = random_token()
        code_value = numeric_code(settings.tx_code_length) if tx_code else None
        pre: dict[str, Any] = {"pre-authorized_code": pre_code}
        if code_value is not None:
            pre["tx_code"] = {
                "input_mode": "numeric",
                "length": settings.tx_code_length,
                "description": TX_CODE_DESCRIPTION,
            }
        grants[PRE_AUTHORIZED_GRANT] = pre
        issuer.state.pre_authorized.put(
            pre_code,
            PreAuthorizedGrant(pre_code, ids, student, code_value),
            settings.offer_lifetime,
        )
    if grant in ("authorization_code", "both"):
        issuer_state = random_token(16)
        grants["authorization_code"] = {"issuer_state": issuer_state}

    document: dict[str, Any] = {
        "credential_issuer": issuer.identifier,
        "credential_configuration_ids": list(ids),
        "grants": grants,
    }
    offer = Offer(
        id=short_id(),
        configuration_ids=ids,
        student=student,
        document=document,
        pre_authorized_code=pre_code,
        tx_code=code_value,
        issuer_state=issuer_state,
        by_reference=by_reference,
    )
    issuer.state.offers.put(offer.id, offer, settings.offer_lifetime)
    return offer


def offer_uri(issuer: Issuer, offer: Offer) -> str:
    return issuer.url(f"/offers/{offer.id}.json")


def offer_link(issuer: Issuer, offer: Offer) -> str:
    """``openid-credential-offer://?credential_offer=...`` or ``?credential_offer_uri=...``.

    Percent-encoded with ``quote`` (spaces as ``%20``, not ``+``), which every query parser
    reads back the same way.
    """
    if offer.by_reference:
        return f"{OFFER_SCHEME}?credential_offer_uri={quote(offer_uri(issuer, offer), safe='')}"
    text = json.dumps(offer.document, separators=(",", ":"), ensure_ascii=False)
    return f"{OFFER_SCHEME}?credential_offer={quote(text, safe='')}"


def qr_data_uri(text: str) -> str:
    """The text as a QR code PNG, inline (``data:image/png;base64,...``)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
