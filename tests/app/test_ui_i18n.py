"""The string catalogues: same keys in every language, placeholders that agree."""

from __future__ import annotations

import json
import string
from importlib.resources import files

import pytest

from app import i18n

LOCALES = i18n.SUPPORTED_LOCALES


def _raw(locale: str) -> dict[str, str]:
    return json.loads((files("assets") / "i18n" / f"{locale}.json").read_text("utf-8"))


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_en_and_nl_have_exactly_the_same_keys() -> None:
    en, nl = _raw("en"), _raw("nl")
    assert sorted(set(en) - set(nl)) == [], "keys missing from nl.json"
    assert sorted(set(nl) - set(en)) == [], "keys missing from en.json"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match_english(locale: str) -> None:
    en, other = _raw("en"), _raw(locale)
    for key, template in other.items():
        assert _placeholders(template) == _placeholders(en[key]), key
        assert template.strip(), f"{locale}:{key} is empty"


def test_lookup_format_and_fallbacks() -> None:
    assert i18n.t("unlock.button", "nl") == "Ontgrendelen"
    assert i18n.tn("error.wrong_pin", 3, "en") == "Wrong PIN, 3 attempts left"
    assert i18n.tn("error.wrong_pin", 1, "en") == "Wrong PIN, 1 attempt left"
    assert i18n.t("no.such.key", "nl") == "no.such.key"
    assert i18n.t("unlock.button", "fr") == "Unlock"  # unknown language -> English


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("nl-NL", "nl"), ("nl_BE.UTF-8", "nl"), ("EN-gb", "en"), ("de-DE", "en"), (None, "en")],
)
def test_normalize_locale(tag: str | None, expected: str) -> None:
    assert i18n.normalize_locale(tag) == expected


def test_pick_locale_takes_first_supported() -> None:
    assert i18n.pick_locale(["de-DE", None, "nl-NL", "en"]) == "nl"
    assert i18n.pick_locale(["de", "fr"]) is None


def test_one_word_for_the_backup_passphrase_in_each_language() -> None:
    """Step 9 point 11: "wachtzin" in one place and "wachtwoordzin" in another read as two
    different secrets."""
    for locale, word, other in (("nl", "wachtwoordzin", "wachtzin"), ("en", "passphrase", "")):
        every = " ".join(i18n.catalog(locale).values()).casefold()
        assert every.count(word) >= 5, locale  # backup, restore, the weak-passphrase error
        assert not other or other not in every.replace(word, ""), locale
