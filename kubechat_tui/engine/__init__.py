"""engine layer; see docs/architecture."""
