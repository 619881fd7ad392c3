"""How values are written into columns: JSON text and epoch seconds."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def load_json(text: str) -> Any:
    return json.loads(text)


def to_epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()
