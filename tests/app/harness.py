"""In-process harness for the Flet 1.0.5 UI: runs ``main(page)`` without browser or Flutter.

Adapted from ../shared/reference/flet_harness.py. The app's ``main`` runs on Flet's real
``Session`` with a fake ``Connection`` (the trick Flet's own unit tests use):

- outgoing messages are msgpack-encoded exactly like the real transport does; the encoder
  records the snapshot the next ``update()`` diffs against, so skipping it breaks updates;
- client-side method calls (``push_route``, ``get_device_info``, SharedPreferences, ...)
  are answered from ``FakeClient.client_methods``;
- unhandled handler exceptions (Flet's SESSION_CRASHED) are collected in ``client.errors``.

It uses Flet internals (``Session``, ``_context_page``, protocol encoders), hence the exact
``flet==1.0.5`` pin.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import MessageAction, configure_encode_object_for_msgpack
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

_encode = configure_encode_object_for_msgpack(BaseControl)

ClientMethod = Callable[[Any, dict[str, Any]], Any]


def _pack(obj: Any) -> bytes:
    return msgpack.packb(obj, default=_encode)


class FakeClient(Connection):
    def __init__(self, languages: Iterable[str] = ("en-US",)) -> None:
        super().__init__()
        self.page_url = "http://127.0.0.1:8550"
        self.session: Session | None = None
        self.messages: list[Any] = []
        self.errors: list[str] = []
        self.languages = list(languages)
        self.prefs: dict[str, Any] = {}
        self.picked_files: list[tuple[str, bytes]] = []  # the next FilePicker.pick_files answer
        self.saved_files: list[tuple[str, bytes]] = []  # what FilePicker.save_file was given
        self.launched_urls: list[str] = []  # what UrlLauncher.launch_url was asked to open
        self.client_methods: dict[str, ClientMethod] = {
            "Page.push_route": self._push_route,
            "Page.get_device_info": self._device_info,
            "SharedPreferences.set": lambda c, a: (
                self.prefs.__setitem__(a["key"], a["value"]) or True
            ),
            "SharedPreferences.get": lambda c, a: self.prefs.get(a["key"]),
        }
        self.client_methods["FilePicker.pick_files"] = lambda c, a: [
            {
                "id": i,
                "name": n,
                "size": len(b),
                "path": None,
                "bytes": b if a["with_data"] else None,
            }
            for i, (n, b) in enumerate(self.picked_files)
        ]
        self.client_methods["FilePicker.save_file"] = lambda c, a: (
            self.saved_files.append((a["file_name"], a["src_bytes"])) or None
        )
        self.client_methods["UrlLauncher.launch_url"] = lambda c, a: (
            self.launched_urls.append(a["url"]) or None
        )
        # TextField.focus() is fire-and-forget on the client.
        self.client_methods["TextField.focus"] = lambda c, a: None

    def send_message(self, message: Any) -> None:
        _pack([message.action, message.body])
        self.messages.append(message)
        if message.action == MessageAction.SESSION_CRASHED:
            self.errors.append(message.body.message)
        elif message.action == MessageAction.INVOKE_METHOD:
            asyncio.get_running_loop().call_soon(self._answer, message.body)

    def _answer(self, body: Any) -> None:
        assert self.session is not None
        ctl = self.session.index.get(body.control_id)
        name = f"{type(ctl).__name__}.{body.name}"
        fn, result, err = self.client_methods.get(name), None, None
        if fn is None:
            err = f"FakeClient: no handler for {name}"
        else:
            try:
                result = fn(ctl, body.args)
            except Exception as ex:
                err = repr(ex)
        self.session.handle_invoke_method_results(body.control_id, body.call_id, result, err)

    def _push_route(self, page: Any, args: dict[str, Any]) -> None:
        assert self.session is not None
        page.route = args["route"]
        asyncio.get_running_loop().create_task(
            self.session.dispatch_event(page._i, "route_change", {"route": args["route"]})
        )

    def _device_info(self, _page: Any, _args: Any) -> dict[str, Any]:
        return {
            "browser_name": "chrome",
            "language": self.languages[0] if self.languages else None,
            "languages": self.languages,
            "locales": [
                {"language_code": tag.split("-")[0], "country_code": None, "script_code": None}
                for tag in self.languages
            ],
        }


NEEDS_VISIBLE_CONTENT = (
    ft.Semantics,
    ft.SafeArea,
    ft.AnimatedSwitcher,
    ft.SelectionArea,
    ft.InteractiveViewer,
    ft.RadioGroup,
)


def _shown(control: Any) -> bool:
    """Visible itself and in every parent up to the page."""
    while control is not None:
        if getattr(control, "visible", True) is False:
            return False
        control = getattr(control, "parent", None)
    return True


class AppHarness:
    """``async with AppHarness(main) as h:`` then find controls, fire events, assert."""

    def __init__(
        self,
        main: Callable[[ft.Page], Awaitable[None] | None],
        *,
        route: str = "/",
        languages: Iterable[str] = ("en-US",),
    ) -> None:
        self.main = main
        self.route = route
        self.languages = list(languages)

    async def __aenter__(self) -> AppHarness:
        c = self.client = FakeClient(self.languages)
        c.loop = asyncio.get_running_loop()
        c.executor = ThreadPoolExecutor(max_workers=2)
        c.pubsubhub = PubSubHub(loop=c.loop, executor=c.executor)
        self.session = c.session = Session(c)
        self.page = self.session.page
        _context_page.set(self.page)
        self.session.apply_page_patch(
            {"route": self.route, "width": 390, "height": 844, "web": True}
        )
        _pack(self.session.get_page_patch())  # like REGISTER_CLIENT
        res = self.main(self.page)
        if asyncio.iscoroutine(res):
            await res
        await self.session.after_event(self.page)
        await self.settle()
        return self

    async def __aexit__(self, *exc: object) -> None:
        # Like Flet evicting the session: the app must release its wallet here.
        self.session.close()
        await self.settle()
        self.client.executor.shutdown(wait=False)

    async def settle(self, rounds: int = 5) -> None:
        for _ in range(rounds):
            await asyncio.sleep(0.01)

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition"
    ) -> None:
        """Poll while handlers finish work they pushed to threads (the PIN KDF)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.02)
        await self.settle()
        # Work finished on a thread paints screens too, not only event handlers.
        self.client.errors += [f"{p} after waiting for {what}" for p in self.error_bars()]

    # -- finding -------------------------------------------------------------------------

    def all_controls(self) -> list[BaseControl]:
        seen: set[int] = set()
        out: list[BaseControl] = []

        def walk(v: Any) -> None:
            if v is None or isinstance(v, str | bytes | int | float) or id(v) in seen:
                return
            seen.add(id(v))
            if isinstance(v, BaseControl):
                out.append(v)
            if dataclasses.is_dataclass(v) and not isinstance(v, type):
                for f in dataclasses.fields(v):
                    if f.name != "_parent" and not f.metadata.get("skip"):
                        walk(getattr(v, f.name, None))
            elif isinstance(v, list | tuple):
                for i in v:
                    walk(i)
            elif isinstance(v, dict):
                for i in v.values():
                    walk(i)

        walk(self.page)
        return out

    def find(
        self, key: str | None = None, type_: type | None = None, text: str | None = None
    ) -> list[Any]:
        def label(c: Any) -> str | None:
            for attr in ("value", "content", "text", "label"):
                value = getattr(c, attr, None)
                if isinstance(value, str):
                    return value
            return None

        return [
            c
            for c in self.all_controls()
            if (key is None or getattr(c, "key", None) == key)
            and (type_ is None or isinstance(c, type_))
            and (text is None or label(c) == text)
        ]

    def get(self, **kw: Any) -> Any:
        res = self.find(**kw)
        assert len(res) == 1, f"expected exactly 1 control for {kw}, found {len(res)}"
        return res[0]

    def has(self, **kw: Any) -> bool:
        return bool(self.find(**kw))

    def texts(self) -> list[str]:
        """Every visible-ish string on the page, for "is this message shown" checks."""
        out: list[str] = []
        for c in self.all_controls():
            for attr in ("value", "content", "label", "error", "helper", "tooltip"):
                value = getattr(c, attr, None)
                if isinstance(value, str) and value:
                    out.append(value)
        return out

    # -- acting --------------------------------------------------------------------------

    async def fire(self, control: Any, event: str, data: Any = None) -> None:
        """Dispatch an event exactly like a client CONTROL_EVENT message.

        Afterwards, check that the client was actually sent what the server-side tree now
        shows. Flet skips its automatic update after a handler that called
        ``page.update()`` itself, so a handler that updates before an ``await`` and
        changes more afterwards leaves the browser stale while the tree looks right.
        Such a gap is reported in ``client.errors``.
        """
        await self.session.dispatch_event(control._i, event, data)
        await self.settle()
        after = f"{event!r} on {type(control).__name__}(key={control.key!r})"
        self.check_synced(after)
        self.client.errors += [f"{problem} after {after}" for problem in self.error_bars()]

    def error_bars(self) -> list[str]:
        """What Flet's client would paint as a red error bar instead of a control.

        Flet's wrappers (Semantics, SafeArea, ...) must have content, and it must be visible;
        otherwise the browser shows "<Wrapper>.content must be provided and visible".
        """
        found = []
        for c in self.all_controls():
            if isinstance(c, NEEDS_VISIBLE_CONTENT) and _shown(c):
                content = getattr(c, "content", None)
                if content is None or getattr(content, "visible", True) is False:
                    name = getattr(c, "identifier", None) or c.key
                    found.append(f"{type(c).__name__}({name!r}) has no visible content")
        return found

    def check_synced(self, after: str) -> None:
        before = len(self.client.messages)
        self.session.patch_control(self.page)  # sends only if something was left unsent
        if any(m.action == MessageAction.PATCH_CONTROL for m in self.client.messages[before:]):
            self.client.errors.append(f"UI changed after {after} but no update was sent")

    async def click(self, control: Any) -> None:
        await self.fire(control, "click")

    async def type_text(self, field: Any, value: str, submit: bool = False) -> None:
        self.session.apply_patch(field._i, {"value": value})  # UPDATE_CONTROL_PROPS
        if field.value != value:
            # Flet's patch_dataclass resolves type hints against its caller's frame; after
            # a background task in an earlier test serialized new controls, resolving
            # BaseControl's "KeyValue" forward reference fails in-process and the patch is
            # skipped. A real browser session is not affected (checked with Chromium), so
            # write the value the way patch_dataclass would.
            field._values["value"] = value
        await self.fire(field, "change", value)
        if submit:
            await self.fire(field, "submit", value)

    async def select(self, segmented: Any, values: list[str]) -> None:
        self.session.apply_patch(segmented._i, {"selected": values})
        await self.fire(segmented, "change", values)
