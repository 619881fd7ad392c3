"""Werkgever Demo: an OpenID4VP 1.0 verifier (employer) on loopback."""

from demo_services.verifier.app import DEFAULT_PORT, create_app, root_certificate

__all__ = ["DEFAULT_PORT", "create_app", "root_certificate"]
