"""Risk levels, ordered: LOW < MEDIUM < HIGH < CRITICAL."""

from __future__ import annotations

from enum import StrEnum


class Risk(StrEnum):
    """How dangerous a step (or a plan) is; compares by severity, not alphabetically."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for LOW up to 3 for CRITICAL."""
        return _ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Risk):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Risk):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Risk):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Risk):
            return NotImplemented
        return self.rank >= other.rank

    def raised(self, levels: int = 1) -> Risk:
        """This risk raised by `levels` steps, capped at CRITICAL."""
        return _ORDER[min(self.rank + levels, len(_ORDER) - 1)]


_ORDER = (Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.CRITICAL)
