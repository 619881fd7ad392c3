"""``eduwallet-demo``: starts the local demo services once they exist."""

from __future__ import annotations

import sys


def cli() -> int:
    sys.stderr.write(
        "eduwallet-demo: the demo issuer and verifier are not built yet "
        "(step 3 and 4 of the build order).\n"
    )
    return 2


if __name__ == "__main__":
    sys.exit(cli())
