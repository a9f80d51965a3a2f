"""The Dockerfile's promises, read from the file (no Docker daemon on these machines):
multi-stage, a non-root numeric user, OCI labels, a healthcheck, state on a volume."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINES = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]


def instructions(name: str) -> list[str]:
    return [line for line in LINES if line.split(" ", 1)[0] == name]


def test_two_stages_and_the_wheel_with_telemetry_and_the_browser_console_inside() -> None:
    assert len(instructions("FROM")) == 2
    assert any("kubechat-tui[otel,serve]" in line for line in LINES)


def test_runs_as_a_numeric_non_root_user_with_state_on_a_volume() -> None:
    user = instructions("USER")[-1].split()[1]
    assert user.split(":")[0].isdigit() and user.split(":")[0] != "0"
    assert instructions("VOLUME") == ['VOLUME ["/data"]']
    env = " ".join(instructions("ENV"))
    assert "HOME=/data" in env and "XDG_DATA_HOME=/data/share" in env


def test_oci_labels_healthcheck_and_entrypoint() -> None:
    text = "\n".join(LINES)
    for label in ("title", "description", "version", "licenses", "source"):
        assert f"org.opencontainers.image.{label}=" in text
    assert instructions("HEALTHCHECK") and "http://127.0.0.1:8000/healthz" in text
    assert instructions("ENTRYPOINT") == ['ENTRYPOINT ["kubechat"]']
