"""Rendering: message texts and keyboards as pure functions of domain objects and a language."""
