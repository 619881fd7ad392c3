"""wallet_core errors become translated sentences, never tracebacks."""

from __future__ import annotations

import pytest

from app.messages import error_message, lockout_message, weak_pin_message
from wallet_core import (
    IssuanceError,
    LockedOutError,
    StorageError,
    VaultBusyError,
    VaultCorruptError,
    WalletError,
    WeakPinError,
    WrongPinError,
)


def test_wrong_pin_counts_attempts() -> None:
    assert error_message(WrongPinError(4)).render("en") == "Wrong PIN, 4 attempts left"
    assert error_message(WrongPinError(1)).render("nl") == "Verkeerde pincode, nog 1 poging over"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (29.2, "Too many attempts. Try again in 30 seconds"),
        (0.3, "Too many attempts. Try again in 1 second"),
        (600, "Too many attempts. Try again in 10 minutes"),
        (86400, "Too many attempts. Try again in 24 hours"),
    ],
)
def test_lockout_uses_a_readable_unit(seconds: float, text: str) -> None:
    assert error_message(LockedOutError(seconds)).render("en") == text
    assert lockout_message(seconds).render("en") == text


@pytest.mark.parametrize("reason", ["too_short", "all_same", "sequence", "empty"])
def test_each_weak_pin_reason_has_its_own_text(reason: str) -> None:
    message = error_message(WeakPinError(reason))
    assert message.key == f"pin.weak.{reason}"
    assert message.render("nl") != message.render("en")


def test_unknown_weak_pin_reason_still_reads_well() -> None:
    assert weak_pin_message("dictionary_word").render("en") == "Choose a stronger PIN"


def test_codes_map_to_their_own_text_or_the_nearest_ancestor() -> None:
    assert error_message(VaultBusyError()).render("en").startswith("The wallet is open in another")
    assert "damaged" in error_message(VaultCorruptError()).render("en")

    class NewStorageProblem(StorageError):
        code = "brand_new_storage_problem"

    assert error_message(NewStorageProblem()).key == "error.storage_error"
    assert error_message(IssuanceError("x")).key == "error.issuance_error"
    assert error_message(WalletError()).key == "error.wallet_error"
    assert error_message(RuntimeError("secret stuff")).render("en") == (
        "Something went wrong. Please try again."
    )


def test_receiving_failures_have_their_own_words() -> None:
    """Each reason a credential is refused reads differently, in both languages."""
    from app.i18n import t
    from wallet_core import (
        ExpiredCredentialError,
        InvalidSignatureError,
        IssuanceError,
        NetworkError,
        WrongHolderKeyError,
    )

    errors = [
        ExpiredCredentialError(),
        InvalidSignatureError(),
        IssuanceError(),
        NetworkError(),
        WrongHolderKeyError(),
    ]
    for lang in ("en", "nl"):
        texts = {error_message(error).render(lang) for error in errors}
        assert len(texts) == len(errors)
        assert t("error.generic", lang=lang) not in texts


def _codes() -> set[str]:
    from wallet_core import WalletError as Base

    found, todo = {Base.code}, list(Base.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("wallet_core"):  # not the ones tests make up
            found.add(cls.code)
        todo += cls.__subclasses__()
    return found


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_every_wallet_error_code_has_its_own_message(locale: str) -> None:
    from app.i18n import catalog

    missing = sorted(code for code in _codes() if f"error.{code}" not in catalog(locale))
    assert missing == []


def test_a_partly_received_offer_says_how_much_and_why_in_one_language() -> None:
    from wallet_core import InvalidSignatureError, PartialIssuanceError

    partial = PartialIssuanceError(["stored"], {"b": InvalidSignatureError()}, offered=2)
    message = error_message(partial)
    nl, en = message.render("nl"), message.render("en")
    assert nl.startswith("1 van de 2 credentials in dit aanbod zijn toegevoegd")
    assert en.startswith("1 of the 2 credentials in this offer were added")
    assert error_message(InvalidSignatureError()).render("nl") in nl
    assert error_message(InvalidSignatureError()).render("en") in en
