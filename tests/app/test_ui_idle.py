"""Auto-lock: after the chosen idle time, and after a grace period when the app is hidden."""

from __future__ import annotations

import types

import pytest
from harness import AppHarness
from test_ui_home import PIN, make_wallet, run, unlock

import app.idle
from app.config import AppConfig
from app.idle import (
    DEFAULT_HIDDEN_SECONDS,
    DEFAULT_IDLE_MINUTES,
    HIDDEN_SETTING,
    IDLE_SETTING,
    IdleLock,
    hidden_seconds,
    idle_minutes,
)
from app.session import make_main
from wallet_core import Wallet


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_idle_lock_fires_once_after_the_timeout_and_not_while_in_use() -> None:
    clock, fired = FakeClock(), []
    idle = IdleLock(lambda: fired.append(clock.now), clock=clock)
    idle.check()
    assert fired == []  # disarmed until a wallet is open
    idle.arm(1)
    clock.now += 59
    idle.check()
    idle.touch()
    clock.now += 59
    idle.check()
    assert fired == []
    clock.now += 1
    idle.check()
    idle.check()
    assert fired == [1119.0]
    idle.arm(2)
    idle.disarm()
    clock.now += 1000
    idle.check()
    assert len(fired) == 1


@pytest.mark.parametrize(
    ("stored", "used"),
    [(10, 10), (1, 1), (None, 5), (0, 5), (3, 5), ("10", 5), (10.0, 5), (True, 5)],
)
def test_only_offered_idle_times_are_used(stored: object, used: int) -> None:
    assert DEFAULT_IDLE_MINUTES == 5
    assert idle_minutes(stored) == used


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(app.idle, "time", types.SimpleNamespace(monotonic=fake))
    monkeypatch.setattr(app.idle, "CHECK_EVERY_SECONDS", 0.02)
    return fake


def test_the_app_locks_after_the_chosen_idle_time(config: AppConfig, clock: FakeClock) -> None:
    make_wallet(config, [])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key="settings-btn"))
            await h.wait_for(lambda: h.has(key="settings-pin"), what="settings")
            choice = h.get(key="idle-lock-select")
            assert choice.value == str(DEFAULT_IDLE_MINUTES)
            assert [o.text for o in choice.options][:2] == ["1 minute unused", "2 minutes unused"]
            h.session.apply_patch(choice._i, {"value": "2"})
            await h.fire(choice, "select", "2")
            await h.settle()

            clock.now += 100  # 1 min 40 s, then a tap: the count starts again
            await h.settle()
            await h.click(h.get(key="back-btn"))
            await h.wait_for(lambda: h.has(key="home-empty"), what="home")
            clock.now += 100
            await h.settle()
            assert h.has(key="home-empty")
            clock.now += 21
            await h.wait_for(lambda: h.has(key="unlock-btn"), what="idle lock")
            assert not h.has(key="home-empty")
            Wallet.open(config.vault_dir, PIN).close()  # the vault was really closed
            assert h.client.errors == []

    run(scenario)
    with Wallet.open(config.vault_dir, PIN) as wallet:
        assert wallet.setting(IDLE_SETTING) == 2


def test_hiding_the_app_locks_it_after_the_grace_period(
    config: AppConfig, clock: FakeClock
) -> None:
    make_wallet(config, [])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.fire(h.page, "app_lifecycle_state_change", {"state": "inactive"})
            assert h.has(key="home-empty")  # a file chooser in front is no reason to lock
            # A look at the institution's tab and back, within the minute: still open.
            await h.fire(h.page, "app_lifecycle_state_change", {"state": "hide"})
            clock.now += DEFAULT_HIDDEN_SECONDS - 5
            await h.settle(10)
            assert h.has(key="home-empty")
            await h.fire(h.page, "app_lifecycle_state_change", {"state": "show"})
            clock.now += 30
            await h.settle(10)
            assert h.has(key="home-empty")
            # Hidden for longer than the grace period: locked (though not idle that long).
            await h.fire(h.page, "app_lifecycle_state_change", {"state": "hide"})
            clock.now += DEFAULT_HIDDEN_SECONDS
            await h.wait_for(lambda: h.has(key="unlock-btn"), what="hidden lock")
            assert not h.has(key="home-empty")
            Wallet.open(config.vault_dir, PIN).close()  # the vault was really closed
            assert h.client.errors == []

    run(scenario)


def test_at_once_is_a_choice(config: AppConfig, clock: FakeClock) -> None:
    make_wallet(config, [])
    with Wallet.open(config.vault_dir, PIN) as wallet:
        wallet.set_setting(HIDDEN_SETTING, 0)

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.fire(h.page, "app_lifecycle_state_change", {"state": "hide"})
            assert h.has(key="unlock-btn") and not h.has(key="home-empty")
            assert h.client.errors == []

    run(scenario)


def test_the_grace_period_is_chosen_in_settings(config: AppConfig) -> None:
    make_wallet(config, [])

    async def scenario() -> None:
        async with AppHarness(make_main(config)) as h:
            await unlock(h)
            await h.click(h.get(key="settings-btn"))
            await h.wait_for(lambda: h.has(key="settings-pin"), what="settings")
            choice = h.get(key="hidden-lock-select")
            assert choice.value == str(DEFAULT_HIDDEN_SECONDS)
            assert [o.text for o in choice.options] == [
                "at once",
                "after 30 seconds",
                "after 1 minute",
                "after 5 minutes",
            ]
            h.session.apply_patch(choice._i, {"value": "0"})
            await h.fire(choice, "select", "0")
            await h.settle()
            await h.fire(h.page, "app_lifecycle_state_change", {"state": "hide"})
            assert h.has(key="unlock-btn")
            assert h.client.errors == []

    run(scenario)
    with Wallet.open(config.vault_dir, PIN) as wallet:
        assert wallet.setting(HIDDEN_SETTING) == 0


@pytest.mark.parametrize(
    ("stored", "used"), [(0, 0), (300, 300), (None, 60), (45, 60), ("0", 60), (False, 60)]
)
def test_only_offered_grace_periods_are_used(stored: object, used: int) -> None:
    assert hidden_seconds(stored) == used
