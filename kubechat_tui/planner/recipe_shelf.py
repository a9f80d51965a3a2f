"""Published recipes as the planner sees them: the store's versions over the files.

    shelf = read_shelf(settings, data_dir)   # an empty shelf when there is no database
    catalog = shelf.catalog(files)           # published win by name; deprecated left out
    shelf.ratings                            # name -> (mean rating, count)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kubechat_tui.config.settings import Settings
from kubechat_tui.planner.recipes import Recipe, RecipeError, parse_recipe
from kubechat_tui.store.errors import StoreError
from kubechat_tui.store.opener import open_store
from kubechat_tui.store.recipe_store import RecipeStore


@dataclass(frozen=True)
class Shelf:
    """Published recipes in use, the deprecated names and the ratings."""

    published: Mapping[str, Recipe] = field(default_factory=dict)
    deprecated: frozenset[str] = frozenset()
    ratings: Mapping[str, tuple[float, int]] = field(default_factory=dict)

    def catalog(self, files: Mapping[str, Recipe]) -> dict[str, Recipe]:
        """The recipes to plan and suggest: files, then published versions; no deprecated."""
        merged = {**files, **self.published}
        return {name: r for name, r in merged.items() if name not in self.deprecated}


def read_shelf(settings: Settings, data_dir: Path) -> Shelf:
    """The store's recipes (an empty shelf without a database or on a store error)."""
    try:
        opened = open_store(settings, data_dir, writer=False, create=False)
    except StoreError:
        return Shelf()
    try:
        store = RecipeStore(opened.db)
        rows, ratings = store.published(), store.ratings()
    except StoreError:
        return Shelf()
    finally:
        opened.db.close()
    published: dict[str, Recipe] = {}
    for name, row in rows.items():
        try:
            published[name] = parse_recipe(row.content, f"published recipe {name}")
        except RecipeError:
            continue  # validated when published; a later schema may refuse it
    deprecated = frozenset(n for n, row in rows.items() if row.deprecated)
    return Shelf(published, deprecated, ratings)
