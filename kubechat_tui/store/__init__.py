"""store layer; see docs/architecture."""
