"""Files in and out through the browser: one upload picker and one download, both in memory.

In web mode Flet hands an upload over as bytes (there is no path on the server) and a
download is given as bytes the browser saves. Nothing is written to a temporary file, so
an upload never lingers on disk; the only things moved this way are backups (encrypted)
and QR images (which hold nothing the user did not already show).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import flet as ft

MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # a 10,000-credential backup is ~3.5 MB


class FileTooLargeError(ValueError):
    """The chosen file is over ``MAX_UPLOAD_BYTES``; nothing was read into memory twice."""


@dataclass(frozen=True)
class PickedFile:
    name: str
    data: bytes


async def pick_file(*, image: bool = False) -> PickedFile | None:
    """The one file the user chose, or None when they cancelled."""
    kind = ft.FilePickerFileType.IMAGE if image else ft.FilePickerFileType.ANY
    files = await ft.FilePicker().pick_files(file_type=kind, with_data=True)
    if not files:
        return None
    chosen = files[0]
    if chosen.size > MAX_UPLOAD_BYTES:
        raise FileTooLargeError(chosen.name)
    if chosen.bytes is not None:
        data = chosen.bytes
    elif chosen.path:  # desktop and mobile builds hand over a path instead
        data = await asyncio.to_thread(Path(chosen.path).read_bytes)
    else:
        return None
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileTooLargeError(chosen.name)
    return PickedFile(chosen.name, data)


async def offer_download(name: str, data: bytes) -> None:
    """Hand ``data`` to the browser as a download called ``name``."""
    await ft.FilePicker().save_file(file_name=name, src_bytes=data)
