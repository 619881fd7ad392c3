"""Credential formats: SD-JWT, SD-JWT VC, status lists. No I/O: callers pass fetched data."""
