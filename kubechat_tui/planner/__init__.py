"""planner layer; see docs/architecture."""
