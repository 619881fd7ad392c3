"""OpenID4VCI 1.0 holder side (with draft-13 compatibility): offers, metadata, flows."""
