"""Static assets (i18n strings, icons), shipped as package data."""
