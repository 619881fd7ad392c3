"""The transaction code of a pre-authorized offer, checked in the app before it is sent."""

from __future__ import annotations

from app.messages import Message


def code_problem(code: str, length: int | None, numeric: bool) -> Message | None:
    """What is wrong with the entered code by the offer's own description (OpenID4VCI 1.0
    §4.1.1 ``length``, ``input_mode``), before a try of the issuer's few is spent on a typo."""
    if not code:
        return Message("receive.tx_code_required")
    if numeric and not (code.isascii() and code.isdigit()):
        return Message("receive.tx_code_not_digits")
    if length is not None and len(code) != length:
        return Message("receive.tx_code_length", fields={"n": length, "m": len(code)})
    return None
