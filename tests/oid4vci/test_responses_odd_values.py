"""The spec's token and credential responses, one member at a time replaced by an odd JSON
value: parsed cleanly or refused with a WalletError, never a bare exception (issue #12 c)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from odd_values import escapes
from oid4vci.vci_fixtures import example_params

from wallet_core.oid4vci.responses import parse_credential_response, parse_token_response

# OpenID4VCI 1.0 §6.2, the successful token response example (with authorization_details)
TOKEN_RESPONSE: dict[str, Any] = {
    "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp..sHQ",
    "token_type": "Bearer",
    "expires_in": 86400,
    "authorization_details": [
        {
            "type": "openid_credential",
            "credential_configuration_id": "UniversityDegreeCredential",
            "credential_identifiers": ["CivilEngineeringDegree-2023", "ElectricalEngineering-2023"],
        }
    ],
    "c_nonce": "tZignsnFbp",
}


def test_the_token_response_with_an_odd_member_is_refused_cleanly() -> None:
    parsed = parse_token_response(TOKEN_RESPONSE)
    assert parsed.credential_identifiers["UniversityDegreeCredential"] == (
        "CivilEngineeringDegree-2023",
        "ElectricalEngineering-2023",
    )
    assert escapes(parse_token_response, TOKEN_RESPONSE) == []


def test_odd_credential_identifiers_and_lifetimes_are_not_taken() -> None:
    odd = {
        **TOKEN_RESPONSE,
        "expires_in": True,
        "authorization_details": [
            {"credential_configuration_id": "c", "credential_identifiers": [{"a": 1}, "", 7, "x"]}
        ],
    }
    parsed = parse_token_response(odd)
    assert parsed.expires_in is None and parsed.credential_identifiers == {"c": ("x",)}


@pytest.mark.parametrize("path", example_params("credential_response"))
@pytest.mark.parametrize("status", [200, 202])
def test_every_example_credential_response_with_an_odd_member_is_refused_cleanly(
    path: Path, status: int
) -> None:
    text = path.read_text()
    # the examples break long credentials over lines "for display purposes only"
    document = json.loads(text[text.index("{") :], strict=False)
    assert escapes(lambda d: parse_credential_response(d, status), document) == []
