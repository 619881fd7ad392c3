"""Who signed a credential: issuer key resolution (jwt-vc-issuer metadata, x5c, DIDs)."""
