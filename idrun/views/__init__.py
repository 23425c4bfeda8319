"""Renderers of run results: plain text, JSON, rich tables. Only `table` imports rich."""
