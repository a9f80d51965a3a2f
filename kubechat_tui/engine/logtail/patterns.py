"""Include/exclude patterns that cannot freeze the console.

Patterns run on RE2 (`google-re2`): matching is linear in the line's length whatever the
pattern, so `(a+)+$` on a long line of `a`s costs microseconds, not minutes. RE2 refuses
what it cannot run in linear time (backreferences, lookaround): that is an invalid
pattern, with RE2's reason in one line. Patterns are capped in length and in the memory
RE2 may build for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

MAX_PATTERN = 1000  # characters
MAX_MEMORY = 8 << 20  # bytes RE2 may use for one compiled pattern
_OPTIONS = re2.Options()
_OPTIONS.max_mem = MAX_MEMORY
_OPTIONS.log_errors = False


class PatternError(ValueError):
    """An unusable pattern; the message is one line naming it."""


def compile_pattern(text: str, what: str = "--grep") -> re2._Regexp:
    """A linear-time pattern; PatternError when RE2 refuses it or it is too long."""
    if len(text) > MAX_PATTERN:
        raise PatternError(f"{what}: pattern longer than {MAX_PATTERN} characters")
    try:
        return re2.compile(text, options=_OPTIONS)
    except re2.error as exc:
        raw = exc.args[0] if exc.args else ""
        text_of = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        reason = " ".join(text_of.split()) or "not a regular expression"
        raise PatternError(f"{what}: invalid pattern {text[:80]!r}: {reason}") from None


@dataclass(frozen=True)
class LineFilter:
    """Which lines a view shows: container, include and exclude patterns (all optional)."""

    include: str = ""
    exclude: str = ""
    container: str = ""

    def compiled(self, names: tuple[str, str] = ("include", "exclude")) -> CompiledFilter:
        """The filter ready to match; PatternError (naming the pattern as `names` says:
        `--grep`, `--exclude` on the command line) for a bad pattern."""
        return CompiledFilter(
            self,
            compile_pattern(self.include, names[0]) if self.include else None,
            compile_pattern(self.exclude, names[1]) if self.exclude else None)


@dataclass(frozen=True)
class CompiledFilter:
    """A LineFilter with its patterns compiled."""

    spec: LineFilter
    include: re2._Regexp | None
    exclude: re2._Regexp | None

    def matches(self, text: str, container: str) -> bool:
        """True when a line of `container` with `text` is shown."""
        if self.spec.container and container != self.spec.container:
            return False
        if self.include is not None and self.include.search(text) is None:
            return False
        return self.exclude is None or self.exclude.search(text) is None


SHOW_ALL = LineFilter().compiled()
