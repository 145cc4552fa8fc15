"""Negotiation text tracker: the write side (domain, text model, formats, CLI)."""

__version__ = "0.1.0"
