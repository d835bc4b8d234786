"""Placeholder package kept for the design card's layout; built by a later issue."""
