"""Telegram handlers, one module per journey; thin: parse, call storage, render."""
