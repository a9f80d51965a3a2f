"""sim layer; see docs/architecture."""
