"""Read QR codes from a picture the user picks (a photo or a screenshot of the code)."""

from __future__ import annotations

import asyncio
import logging

from app.components.files import FileTooLargeError, pick_file
from app.messages import Message, error_message, log_failure
from wallet_core import qr

log = logging.getLogger(__name__)


async def scan_picture() -> str | Message | None:
    """The first QR code's text, a message saying why there is none, or None (cancelled).

    Decoding runs in a thread: a large photo takes zbar a while.
    """
    try:
        picked = await pick_file(image=True)
        if picked is None:
            return None
        texts = await asyncio.to_thread(qr.decode_image, picked.data)
    except FileTooLargeError:
        return Message("file.too_large")
    except Exception as exc:
        log_failure(log, "scan QR image", exc)
        return error_message(exc)
    return texts[0] if texts else Message("scan.no_code")
