"""Writes: each function is one business action in one transaction."""
