"""Every spec example of a DCQL query and a presentation definition, one member at a time
replaced by an odd JSON value: parsed cleanly or refused with a WalletError (issue #12 c)."""

from __future__ import annotations

from typing import Any

import pytest
from odd_values import escapes
from oid4vp.match_fixtures import dcql_example, dcql_example_names, presentation_definitions

from wallet_core.oid4vp import dcql, pex


@pytest.mark.parametrize("name", dcql_example_names())
def test_every_dcql_example_with_an_odd_member_is_refused_cleanly(name: str) -> None:
    assert escapes(dcql.parse_query, dcql_example(name)) == []


@pytest.mark.parametrize("definition", presentation_definitions())
def test_every_presentation_definition_with_an_odd_member_is_refused_cleanly(
    definition: Any,
) -> None:
    assert escapes(pex.parse_definition, definition) == []
