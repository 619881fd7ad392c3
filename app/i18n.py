"""Translated UI strings: ``t("key", lang="nl", n=3)``.

Strings live in ``assets/i18n/{en,nl}.json`` (flat ``key -> template`` maps, ``str.format``
placeholders). English is the reference catalogue: a key missing from another language
falls back to English, and a key missing everywhere renders as the key itself so a typo
shows up on screen instead of crashing a handler. A test keeps both files in step.

Plurals: the two languages we ship both distinguish only "one" and "other", so
``tn(key, n)`` picks ``<key>.one`` or ``<key>.other``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Final

log = logging.getLogger(__name__)

SUPPORTED_LOCALES: Final = ("nl", "en")
DEFAULT_LOCALE: Final = "en"


@cache
def catalog(locale: str) -> dict[str, str]:
    """The raw strings of one language (cached; the files ship with the package)."""
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale: {locale!r}")
    text = (files("assets") / "i18n" / f"{locale}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"{locale}.json must be a flat object of strings")
    return data


def t(key: str, /, lang: str = DEFAULT_LOCALE, **fmt: object) -> str:
    """Look up ``key`` in ``lang`` (falling back to English) and fill in ``fmt``."""
    template = catalog(normalize_locale(lang)).get(key)
    if template is None:
        template = catalog(DEFAULT_LOCALE).get(key)
    if template is None:
        log.warning("missing translation key %r", key)
        return key
    if not fmt:
        return template
    try:
        return template.format(**fmt)
    except (KeyError, IndexError, ValueError):
        # A broken placeholder in one translation must not take the screen down.
        log.warning("bad placeholders in translation %r (%s)", key, lang)
        return template


def tn(key: str, n: int, /, lang: str = DEFAULT_LOCALE, **fmt: object) -> str:
    """Plural form of ``key`` for count ``n``; ``{n}`` is available in the template."""
    form = "one" if n == 1 else "other"
    return t(f"{key}.{form}", lang, n=n, **fmt)


def has_key(key: str) -> bool:
    return key in catalog(DEFAULT_LOCALE)


def normalize_locale(tag: str | None) -> str:
    """Map a BCP 47 tag or POSIX locale (``nl-NL``, ``nl_BE.UTF-8``) to a shipped language."""
    return pick_locale([tag]) or DEFAULT_LOCALE


def pick_locale(preferences: Iterable[str | None]) -> str | None:
    """The first shipped language in an ordered list of preferences, or None."""
    for tag in preferences:
        if tag:
            primary = tag.replace("_", "-").split("-", 1)[0].split(".", 1)[0].lower()
            if primary in SUPPORTED_LOCALES:
                return primary
    return None
