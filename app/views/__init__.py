"""One module per screen. A screen owns an ``ft.View`` and can relabel it in place."""
