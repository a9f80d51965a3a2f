"""What the log tail screen is asked to follow (light: the main screen and row actions
build one without importing the screen). Open it with `app.open_log_tail(request)`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LogTailRequest:
    """What to tail: TARGET (`NAME`, `pod/NAME`, `deploy/NAME`, ...) or a selector, in
    these clusters and namespace; optionally one container."""

    clusters: tuple[str, ...]
    target: str | None
    namespace: str | None = None
    selector: str | None = None
    container: str | None = None

    def title(self) -> str:
        """`deploy/web in payments (prod-eu, prod-us)`."""
        what = self.target or f"-l {self.selector}"
        where = f" in {self.namespace}" if self.namespace else ""
        return f"{what}{where} ({', '.join(self.clusters)})"
