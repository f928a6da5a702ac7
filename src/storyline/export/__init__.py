"""Turning stored results into the formats users take elsewhere (JSON records first)."""
