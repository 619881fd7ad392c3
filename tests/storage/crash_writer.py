"""Run by test_crash_safety: write credentials forever, each with its key and history
entry in one transaction, announcing every commit on stdout, until killed."""

from __future__ import annotations

import sys

from helpers import PIN, make_credential

from wallet_core import Wallet


def main(directory: str) -> None:
    wallet = Wallet.open(directory, PIN)
    index = 0
    while True:
        with wallet._vault.transaction():
            key = wallet.new_key()
            wallet._store_credential(make_credential(index, key_id=key.kid))
        sys.stdout.write(f"{index}\n")
        sys.stdout.flush()
        index += 1


if __name__ == "__main__":
    main(sys.argv[1])
