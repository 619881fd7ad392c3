"""SIGKILL in the middle of a stream of writes leaves only whole records."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers import PIN, make_credential

from wallet_core import KdfParams, Wallet

WRITER = Path(__file__).with_name("crash_writer.py")


def _run_and_kill(directory: Path, min_commits: int, extra_delay: float) -> int:
    tests_dir = Path(__file__).parents[1]
    env = {**os.environ, "PYTHONPATH": f"{tests_dir.parent}{os.pathsep}{tests_dir}"}
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    last = -1
    deadline = time.monotonic() + 60
    while last + 1 < min_commits and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(
                f"writer stopped early: {process.stderr.read() if process.stderr else ''}"
            )
        last = int(line)
    time.sleep(extra_delay)  # land the kill somewhere inside a later transaction
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    for line in process.stdout.read().split():
        last = int(line)
    return last + 1  # commits the writer saw succeed


def test_sigkill_during_writes_leaves_whole_records(tmp_path: Path) -> None:
    directory = tmp_path / "wallet"
    Wallet.create(directory, PIN, kdf=KdfParams.fast_for_tests()).close()
    rng = random.Random(1234)
    floor = 0  # records known to be committed before this round
    for round_ in range(3):
        acknowledged = floor + _run_and_kill(
            directory, min_commits=50 * (round_ + 1), extra_delay=rng.random() / 20
        )
        with Wallet.open(directory, PIN) as wallet:
            summaries = wallet.credentials()
            keys = {key.kid for key in wallet.holder_keys()}
            added = [e for e in wallet.activity() if e.kind == "credential_added"]
            # every acknowledged commit is there; at most one more (committed, unannounced)
            assert acknowledged <= len(summaries) <= acknowledged + 1
            floor = len(summaries)
            assert len(keys) == len(summaries) == len(added)
            for summary in summaries:
                stored = wallet.credential(summary.id)
                index = int(stored.raw.split("RAW-CREDENTIAL-")[1][:6])
                expected = make_credential(index, key_id=stored.key_id)
                assert stored.claims == expected.claims
                assert stored.raw == expected.raw
                assert stored.key_id in keys
            assert {e.credential_id for e in added} == {s.id for s in summaries}
