"""integrations layer; see docs/architecture."""
