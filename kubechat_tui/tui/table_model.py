"""Rows of one resource kind as the table shows them: sorted, filtered, counted."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kubechat_tui.domain.ages import leading_count
from kubechat_tui.tui.row_filter import Row, Term, compile_terms, parse_filter, refines


def _sort_key(column: int) -> Callable[[Row], tuple[int, int, str]]:
    """Numbers sort numerically (a RESTARTS cell by its count: 3 before 17), everything
    else case-insensitively."""

    def key(row: Row) -> tuple[int, int, str]:
        value = row[column]
        count = leading_count(value)
        if count is not None:
            return (0, count, "")
        return (1, 0, value.lower())

    return key


class TableModel:
    """Holds the inventory snapshot and derives the visible row list.

    Sorting happens only when data or the sort column changes; a filter keystroke that
    narrows the previous filter re-filters the previous result, not all rows.
    """

    def __init__(self, columns: Sequence[str], age_columns: frozenset[str] = frozenset()) -> None:
        self.columns = tuple(columns)
        self.age_indexes = frozenset(i for i, c in enumerate(self.columns) if c in age_columns)
        self.sort_column: int | None = None
        self.sort_reverse = False
        self.filter_text = ""
        self._rows: list[Row] = []
        self._sorted: list[Row] = []
        self._terms: tuple[Term, ...] = ()
        self.view: list[Row] = []

    @property
    def total(self) -> int:
        """Rows in the snapshot before filtering."""
        return len(self._rows)

    def set_rows(self, rows: list[Row]) -> None:
        """Replace the snapshot (from the inventory)."""
        self._rows = rows
        self._resort()

    def set_sort(self, column: int | None, reverse: bool = False) -> None:
        """Sort by a column index (None: inventory order)."""
        if column is not None and not 0 <= column < len(self.columns):
            raise ValueError(f"no column {column}")
        self.sort_column, self.sort_reverse = column, reverse
        self._resort()

    def cycle_sort(self) -> None:
        """Next column; after the last one back to inventory order."""
        if self.sort_column is None:
            self.set_sort(0)
        elif self.sort_column + 1 < len(self.columns):
            self.set_sort(self.sort_column + 1, self.sort_reverse)
        else:
            self.set_sort(None)

    def reverse_sort(self) -> None:
        """Flip the sort direction (sorting by the first column if unsorted)."""
        self.set_sort(0 if self.sort_column is None else self.sort_column, not self.sort_reverse)

    def sort_by_name(self, name: str) -> None:
        """`:sort COLUMN` — same column again reverses; empty means unsorted."""
        if not name:
            self.set_sort(None)
            return
        upper = [c.upper() for c in self.columns]
        if name.upper() not in upper:
            raise ValueError(f"no column {name!r} (have: {', '.join(self.columns)})")
        column = upper.index(name.upper())
        reverse = not self.sort_reverse if column == self.sort_column else False
        self.set_sort(column, reverse)

    def set_filter(self, text: str) -> None:
        """Apply `/` filter text."""
        terms = parse_filter(text)
        narrowing = refines(self._terms, terms) and bool(self._terms)
        base = self.view if narrowing else self._sorted
        self.filter_text, self._terms = text, terms
        self._apply_filter(base)

    def _resort(self) -> None:
        rows = self._rows
        if self.sort_column is not None:
            column = self.sort_column
            # Age columns hold timestamps: ascending age is descending time.
            reverse = self.sort_reverse != (column in self.age_indexes)
            rows = sorted(rows, key=_sort_key(column), reverse=reverse)
        self._sorted = rows
        self._apply_filter(rows)

    def _apply_filter(self, base: list[Row]) -> None:
        if not any(term.value for term in self._terms):
            self.view = base
            return
        match = compile_terms(self._terms, self.columns)
        self.view = [row for row in base if match(row)]
