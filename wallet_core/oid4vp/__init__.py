"""OpenID4VP 1.0 holder side (with Presentation Exchange for older verifiers)."""
