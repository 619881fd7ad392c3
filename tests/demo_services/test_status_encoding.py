"""``encode_status_list`` is the inverse of ``decode_lst`` (Token Status List §4.1)."""

from __future__ import annotations

import base64
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet_core.errors import StatusListError
from wallet_core.formats.status import decode_lst, encode_status_list


@st.composite
def lists(draw: st.DrawFn) -> tuple[int, list[int]]:
    bits = draw(st.sampled_from([1, 2, 4, 8]))
    values = draw(st.lists(st.integers(0, (1 << bits) - 1), max_size=300))
    return bits, values


@given(lists())
def test_round_trip(case: tuple[int, list[int]]) -> None:
    bits, values = case
    decoded = decode_lst(encode_status_list(values, bits), bits)
    assert [decoded.value(i) for i in range(len(values))] == values
    # the padding of a partly used last byte reads as VALID (0)
    assert all(decoded.value(i) == 0 for i in range(len(values), len(decoded)))


def test_lsb_first_packing_matches_the_spec_example() -> None:
    # §4.1 example: statuses [1,0,0,1,1,1,0,1, 1,1,0,0,0,1,0,1] -> bytes 0xB9 0xA3
    values = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
    lst = encode_status_list(values, 1)
    raw = zlib.decompress(base64.urlsafe_b64decode(lst + "=" * (-len(lst) % 4)))
    assert raw == bytes([0xB9, 0xA3])
    assert "=" not in lst


def test_two_bit_packing() -> None:
    # §4.1 example with bits=2: [1,2,0,3, 0,1,0,1, 1,2,3,3] -> 0xC9 0x44 0xF9
    lst = encode_status_list([1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3], 2)
    raw = zlib.decompress(base64.urlsafe_b64decode(lst + "=" * (-len(lst) % 4)))
    assert raw == bytes([0xC9, 0x44, 0xF9])


@pytest.mark.parametrize("bits", [0, 3, 16, True])
def test_bits_must_be_1_2_4_or_8(bits: int) -> None:
    with pytest.raises(StatusListError):
        encode_status_list([0], bits)


@pytest.mark.parametrize(("value", "bits"), [(2, 1), (4, 2), (256, 8), (-1, 1), (True, 1)])
def test_values_must_fit(value: int, bits: int) -> None:
    with pytest.raises(StatusListError):
        encode_status_list([0, value], bits)
