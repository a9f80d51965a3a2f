"""tui layer; see docs/architecture."""
