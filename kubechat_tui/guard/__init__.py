"""guard layer; see docs/architecture."""
