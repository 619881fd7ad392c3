"""Every interactive control has a stable identifier (for browser tests and assistive
technology) and a label, on every screen."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import flet as ft
from flet.controls.base_control import BaseControl
from harness import AppHarness
from test_ui_home import MICRO_CLAIMS, MICRO_DISPLAY, make_wallet, new_credential, run, unlock

from app.config import AppConfig
from app.session import make_main

INTERACTIVE = (
    ft.FilledButton,
    ft.FilledTonalButton,
    ft.OutlinedButton,
    ft.TextButton,
    ft.Button,
    ft.IconButton,
    ft.TextField,
    ft.Switch,
    ft.Dropdown,
)


def _label(control: Any) -> str:
    for attr in ("content", "label", "tooltip", "text"):
        value = getattr(control, attr, None)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, ft.Text) and (value.value or "").strip():
            return str(value.value)
    return ""


def problems_on_screen(h: AppHarness) -> list[str]:
    found: list[str] = []

    def walk(value: Any, identifier: str | None, seen: set[int]) -> None:
        if value is None or isinstance(value, str | bytes | int | float) or id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, BaseControl):
            if getattr(value, "visible", True) is False:
                return
            if isinstance(value, ft.Semantics) and value.identifier:
                identifier = value.identifier
            found.extend(_control_problems(value, identifier))
        for child in _children(value):
            walk(child, identifier, seen)

    for view in h.page.views:
        walk(view, None, set())
    return found


def _control_problems(control: BaseControl, identifier: str | None) -> list[str]:
    """What ``control`` lacks, if it is interactive; ``identifier`` is the nearest
    enclosing Semantics identifier."""
    if not isinstance(control, INTERACTIVE):
        return []
    name = f"{type(control).__name__}(key={control.key!r})"
    problems: list[str] = []
    if not control.key or identifier != control.key:
        problems.append(f"{name}: no Semantics identifier equal to its key")
    if not _label(control):
        problems.append(f"{name}: no label")
    return problems


def _children(value: Any) -> Iterator[Any]:
    """What a control (a dataclass) or a list of them holds, other than its parent."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name != "_parent" and not f.metadata.get("skip"):
                yield getattr(value, f.name, None)
    elif isinstance(value, list | tuple):
        yield from value


def test_every_screen(config: AppConfig) -> None:
    [cid] = make_wallet(
        config, [new_credential("Circulair", claims=MICRO_CLAIMS, display=MICRO_DISPLAY)]
    )
    screens: dict[str, list[str]] = {}

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            screens["unlock"] = problems_on_screen(h)
            await unlock(h)
            screens["home"] = problems_on_screen(h)
            for button, ready, name in (
                (f"cred-{cid}", "detail-title", "detail"),
                ("show-as-qr-btn", "qr-claims", "offline qr"),
            ):
                await h.click(h.get(key=button))
                await h.wait_for(lambda r=ready: h.has(key=r), what=name)
                screens[name] = problems_on_screen(h)
            for button, ready, name in (
                ("add-btn", "offer-input", "receive"),
                ("present-btn", "request-input", "present"),
                ("activity-btn", "activity-list", "activity"),
                ("settings-btn", "settings-pin", "settings"),
            ):
                await h.click(h.get(key="back-btn"))
                while not h.has(key=button):
                    await h.click(h.get(key="back-btn"))
                    await h.settle()
                await h.click(h.get(key=button))
                await h.wait_for(lambda r=ready: h.has(key=r), what=name)
                screens[name] = problems_on_screen(h)
            await h.click(h.get(key="open-restore-btn"))
            await h.wait_for(lambda: h.has(key="restore-btn"), what="restore")
            screens["restore"] = problems_on_screen(h)

    run(scenario)
    assert {name: found for name, found in screens.items() if found} == {}


def test_first_run_screen(config: AppConfig) -> None:
    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            assert problems_on_screen(h) == []
            assert h.has(key="create-btn")

    run(scenario)
