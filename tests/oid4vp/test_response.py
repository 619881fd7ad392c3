"""The encrypted authorization response (``direct_post.jwt``, OpenID4VP 1.0 §8.3): which
content encryption the wallet picks from what the verifier offers."""

from __future__ import annotations

from typing import Any

import pytest
from wire import jwt_part

from wallet_core.crypto import jwe
from wallet_core.errors import PresentationRequestError
from wallet_core.oid4vp import response


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["A128GCM", "A256GCM"], "A256GCM"),  # HAIP 1.0 §5: A256GCM when both are there
        (["A256GCM", "A128GCM"], "A256GCM"),
        (["A128GCM"], "A128GCM"),
        (None, "A128GCM"),  # §8.3: the default when the verifier names none
    ],
)
def test_the_strongest_offered_encryption_is_used(offered: list[str] | None, chosen: str) -> None:
    key = jwe.Decrypter()
    metadata: dict[str, Any] = {"jwks": {"keys": [key.public_jwk]}}
    if offered is not None:
        metadata["encrypted_response_enc_values_supported"] = offered
    token = response._encrypt({"vp_token": {"q": ["x"]}, "state": "s"}, metadata)
    assert jwt_part(token, 0)["enc"] == chosen
    assert key.decrypt(token, chosen) == {"vp_token": {"q": ["x"]}, "state": "s"}


def test_only_unknown_encryptions_are_refused() -> None:
    metadata = {
        "jwks": {"keys": [jwe.Decrypter().public_jwk]},
        "encrypted_response_enc_values_supported": ["A192CBC-HS384"],
    }
    with pytest.raises(PresentationRequestError):
        response._encrypt({"vp_token": {}}, metadata)
