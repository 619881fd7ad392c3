import pytest

from wallet_core import WeakPassphraseError, WeakPinError, check_backup_passphrase, check_pin


@pytest.mark.parametrize(
    "pin", ["482916", "0000001", "correct horse", "wachtwoord!", "ÿ" * 7 + "x"]
)
def test_acceptable(pin: str) -> None:
    check_pin(pin)


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("", "empty"),
        ("12345", "too_short"),
        ("short", "too_short"),
        ("111111", "all_same"),
        ("aaaaaaaaaa", "all_same"),
        ("123456", "sequence"),
        ("654321", "sequence"),
        ("890123", "sequence"),
        ("3456789", "sequence"),
    ],
)
def test_rejected_with_reason(pin: str, reason: str) -> None:
    with pytest.raises(WeakPinError) as info:
        check_pin(pin)
    assert info.value.reason == reason
    assert info.value.code == "weak_pin"


def test_backup_passphrase_must_be_long() -> None:
    check_backup_passphrase("lang genoeg wachtwoord")
    with pytest.raises(WeakPassphraseError) as info:
        check_backup_passphrase("482916")
    assert info.value.code == "weak_passphrase"
