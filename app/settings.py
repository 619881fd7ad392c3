"""Plain, non-secret preferences that must be known before the wallet is unlocked.

Stored as ``<data-dir>/app-settings.json``. Only the UI language lives here today; anything
private belongs inside the encrypted vault instead. A damaged or foreign file is ignored
(defaults apply) rather than blocking the app from starting.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.i18n import SUPPORTED_LOCALES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppSettings:
    locale: str | None = None


def load_settings(path: Path) -> AppSettings:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return AppSettings()
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable settings file: %s", type(exc).__name__)
        return AppSettings()
    locale = data.get("locale") if isinstance(data, dict) else None
    return AppSettings(locale=locale if locale in SUPPORTED_LOCALES else None)


def save_settings(path: Path, settings: AppSettings) -> None:
    """Write atomically so a crash never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    payload = json.dumps({"locale": settings.locale}, indent=2).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".app-settings-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
