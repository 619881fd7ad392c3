"""``python -m app``: the same as the ``eduwallet`` console script."""

from app.main import cli

raise SystemExit(cli())
