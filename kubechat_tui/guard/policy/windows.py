"""Time windows (change freezes): absolute ranges or weekly recurring hours, in a timezone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TimeWindow(BaseModel):
    """Either `start`/`end` (ISO local date-times) or `days` with `from`/`to` (HH:MM, 24:00 ok).

    Times are read in the rule's timezone; an absolute window is [start, end).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: datetime | None = None
    end: datetime | None = None
    days: list[str] = Field(default_factory=list)
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None

    @model_validator(mode="after")
    def _check(self) -> TimeWindow:
        absolute = self.start is not None or self.end is not None
        weekly = bool(self.days) or self.from_ is not None or self.to is not None
        if absolute == weekly:
            raise ValueError("a window needs either start+end or days+from+to")
        if absolute and (self.start is None or self.end is None):
            raise ValueError("an absolute window needs both start and end")
        if (absolute and self.start is not None and self.end is not None
                and _naive(self.start) >= _naive(self.end)):
            raise ValueError("window start must be before end")
        if weekly:
            bad = [d for d in self.days if d.lower()[:3] not in DAYS]
            if bad or not self.days:
                raise ValueError(f"days must be among {', '.join(DAYS)}")
            _minutes(self.from_ or "")
            _minutes(self.to or "")
        return self

    def contains(self, moment: datetime, zone: ZoneInfo) -> bool:
        """True when the aware `moment` falls inside this window in `zone`."""
        local = moment.astimezone(zone)
        if self.start is not None and self.end is not None:
            start = _naive(self.start).replace(tzinfo=zone)
            end = _naive(self.end).replace(tzinfo=zone)
            return start <= local < end
        if DAYS[local.weekday()] not in {d.lower()[:3] for d in self.days}:
            return False
        now = local.hour * 60 + local.minute
        return _minutes(self.from_ or "") <= now < _minutes(self.to or "")

    def describe(self) -> str:
        """A short human form, e.g. `fri 16:00-24:00` or `2026-12-24T00:00 - 2026-12-27T00:00`."""
        if self.start is not None and self.end is not None:
            return f"{_naive(self.start).isoformat()} - {_naive(self.end).isoformat()}"
        return f"{','.join(self.days)} {self.from_}-{self.to}"


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _minutes(clock: str) -> int:
    """'HH:MM' -> minutes after midnight (24:00 -> 1440); ValueError otherwise."""
    try:
        hours, minutes = (int(part) for part in clock.split(":"))
    except ValueError:
        raise ValueError(f"bad time of day {clock!r} (want HH:MM)") from None
    if clock == "24:00" or (0 <= hours < 24 and 0 <= minutes < 60):
        return hours * 60 + minutes
    raise ValueError(f"bad time of day {clock!r} (want HH:MM)")


def check_timezone(name: str) -> ZoneInfo:
    """The zone for an IANA name; ValueError naming it when unknown."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        raise ValueError(f"unknown timezone {name!r}") from None


__all__ = ["DAYS", "TimeWindow", "check_timezone"]
