"""Reusable controls shared by several screens."""
