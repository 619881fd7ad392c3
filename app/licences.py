"""Name, version and licence of every package the app ships with, for Settings > About.

Read from the installed distributions' metadata, so the list follows pyproject.toml.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from dataclasses import dataclass

DISTRIBUTION = "eduwallet"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")
_CLASSIFIER = "License :: OSI Approved :: "


@dataclass(frozen=True)
class Licence:
    package: str
    version: str
    licence: str  # "" when the package does not say


def app_version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "dev"


@functools.cache
def dependency_licences() -> tuple[Licence, ...]:
    """The runtime dependencies (not test extras), sorted by name."""
    try:
        requirements = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        return ()
    names = {
        match.group(0)
        for requirement in requirements
        if "extra ==" not in requirement and (match := _NAME.match(requirement))
    }
    found = []
    for name in sorted(names, key=str.casefold):
        try:
            meta = importlib.metadata.metadata(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        licence = _licence_of(meta) or _licence_from_file(name)
        found.append(Licence(meta["Name"], meta["Version"], licence))
    return tuple(found)


def _licence_of(meta: importlib.metadata.PackageMetadata) -> str:
    fields = meta.json
    expression = fields.get("license_expression")
    if isinstance(expression, str) and expression:
        return expression
    classifiers = [
        c[len(_CLASSIFIER) :] for c in fields.get("classifier", []) if c.startswith(_CLASSIFIER)
    ]
    if classifiers:
        return ", ".join(classifiers)
    text = str(fields.get("license") or "").strip()
    # Some packages paste their whole licence text here; only a short name is useful.
    return text if text and "\n" not in text and len(text) <= 40 else ""


# Sentences that name a licence in its own text, for packages whose metadata names none.
_TEXT_MARKERS = (
    ("Permission is hereby granted, free of charge, to any person", "MIT"),
    ("Permission is granted to anyone to use this software for any purpose", "Zlib"),
    ("Apache License", "Apache-2.0"),
    ("Redistribution and use in source and binary forms", "BSD"),
)


def _licence_from_file(name: str) -> str:
    """The licence a distribution's LICENSE file is, by the sentence it is known by."""
    try:
        files = importlib.metadata.distribution(name).files or []
    except importlib.metadata.PackageNotFoundError:
        return ""
    for path in files:
        if not path.name.upper().startswith(("LICENSE", "LICENCE", "COPYING")):
            continue
        try:
            text = " ".join(path.read_text("utf-8")[:4000].split())
        except (OSError, UnicodeDecodeError):
            continue
        for sentence, licence in _TEXT_MARKERS:
            if sentence in text:
                return licence
    return ""
