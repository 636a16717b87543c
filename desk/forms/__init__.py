"""Reusable form widgets and field parsers (no SQL here)."""
