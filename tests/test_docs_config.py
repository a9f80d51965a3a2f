"""docs/configuration.md names every settings key with its environment variable, and the
config examples in the docs and README validate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from kubechat_tui.config.loader import ENV_PREFIX, NEST, load_settings
from kubechat_tui.config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
EXAMPLE_MARK = "# kubechat config"
YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)


def setting_keys(model: type[BaseModel] = Settings, prefix: tuple[str, ...] = ()
                 ) -> Iterator[tuple[str, ...]]:
    """Every leaf key of the settings model, as a path."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from setting_keys(annotation, (*prefix, name))
        else:
            yield (*prefix, name)


KEYS = list(setting_keys())


@pytest.mark.parametrize("key", KEYS, ids=[".".join(k) for k in KEYS])
def test_every_key_is_documented_with_its_env_var(key: tuple[str, ...]) -> None:
    env = ENV_PREFIX + NEST.join(key).upper()
    row = next((line for line in DOCS.splitlines()
                if line.startswith(f"| `{'.'.join(key)}` |")), None)
    assert row is not None, f"docs/configuration.md: no table row for {'.'.join(key)}"
    assert f"`{env}`" in row


def config_examples() -> list[tuple[str, str]]:
    found = []
    for name in ("docs/configuration.md", "README.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        found += [(name, block) for block in YAML_BLOCK.findall(text)
                  if block.startswith(EXAMPLE_MARK)]
    return found


EXAMPLES = config_examples()


def test_the_docs_have_examples() -> None:
    assert {name for name, _ in EXAMPLES} == {"docs/configuration.md", "README.md"}


@pytest.mark.parametrize(("source", "block"), EXAMPLES,
                         ids=[f"{n}#{i}" for i, (n, _) in enumerate(EXAMPLES)])
def test_config_example_validates(source: str, block: str, tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(block, encoding="utf-8")
    settings = load_settings(path, environ={})
    assert isinstance(settings, Settings), source
