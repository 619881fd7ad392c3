"""Every spec example of a credential offer and of issuer metadata (and our fullest
authorization server metadata), one member at a time replaced by an odd JSON value: the
parsers answer with a WalletError or a clean result, never a bare TypeError or KeyError
(issue #12 c)."""

from __future__ import annotations

from pathlib import Path

import pytest
from odd_values import escapes
from oid4vci.test_metadata import as_document
from oid4vci.test_offer import offer_document
from oid4vci.vci_fixtures import example_params, load_example

from wallet_core.errors import WalletError
from wallet_core.http import HttpPolicy
from wallet_core.oid4vci.metadata import (
    parse_authorization_server_metadata,
    parse_issuer_metadata,
)
from wallet_core.oid4vci.offer import parse_offer_document


@pytest.mark.parametrize("path", example_params("credential_offer"))
def test_every_example_offer_with_an_odd_member_is_refused_cleanly(path: Path) -> None:
    assert escapes(parse_offer_document, load_example(path)) == []


def test_our_own_full_offer_with_an_odd_member_is_refused_cleanly() -> None:
    assert escapes(parse_offer_document, offer_document()) == []


def test_a_list_as_the_tx_code_input_mode_is_an_offer_error() -> None:
    document = offer_document()
    grant = document["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    grant["tx_code"]["input_mode"] = ["numeric"]
    with pytest.raises(WalletError) as raised:
        parse_offer_document(document)
    assert raised.value.code == "offer_error"


@pytest.mark.parametrize(
    "path", [p for p in example_params("credential_issuer_metadata") if "_jwt." not in str(p)]
)
def test_every_example_issuer_metadata_with_an_odd_member_is_refused_cleanly(
    path: Path,
) -> None:
    """(The signed-metadata JWT example is a compact JWT, not JSON: not varied here.)"""
    document = load_example(path)
    issuer = document["credential_issuer"]
    assert escapes(lambda d: parse_issuer_metadata(d, issuer, HttpPolicy()), document) == []


def test_authorization_server_metadata_with_an_odd_member_is_refused_cleanly() -> None:
    """RFC 8414 metadata with every member the issuance flows read (no spec example has one)."""
    issuer = "https://as.example"
    document = as_document(issuer, dpop_signing_alg_values_supported=["ES256"])
    parse_authorization_server_metadata(document, issuer, HttpPolicy())
    assert (
        escapes(lambda d: parse_authorization_server_metadata(d, issuer, HttpPolicy()), document)
        == []
    )
