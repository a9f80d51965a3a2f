"""domain layer; see docs/architecture."""
