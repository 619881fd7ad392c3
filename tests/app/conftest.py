"""Fixtures for the in-process UI tests (no browser)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# harness.py sits beside this file; make it importable under any pytest import mode.
sys.path.insert(0, str(Path(__file__).parent))

from app.config import AppConfig


@pytest.fixture
def config(tmp_path: Path) -> AppConfig:
    return AppConfig(data_dir=tmp_path / "data", fast_kdf=True)
