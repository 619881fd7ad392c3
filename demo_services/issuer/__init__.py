"""Hogeschool Demo: an OpenID4VCI 1.0 (and draft 13) credential issuer on loopback."""

from demo_services.issuer.app import DEFAULT_PORT, create_app

__all__ = ["DEFAULT_PORT", "create_app"]
