"""What a wheel needs: package resources reachable through importlib.resources, and a
pyproject that lists every package and ships every data file (checked without a build)."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from kubechat_tui.planner.recipes import BUNDLED_RECIPES, load_catalog
from kubechat_tui.tui.themes import BUNDLED_THEMES, load_themes

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]

RESOURCES = [
    ("kubechat_tui.themes", "kubechat-dark.yaml"),
    ("kubechat_tui.themes", "kubechat-light.yaml"),
    ("kubechat_tui.sim.scenarios", "incident.yaml"),
    ("kubechat_tui.sim", "table_columns.json"),
    ("kubechat_tui.guard.policy", "default_policy.yaml"),
    ("kubechat_tui.tui", "app.tcss"),
    ("kubechat_tui.recipes", "crashloop-triage.yaml"),
]


@pytest.mark.parametrize(("package", "name"), RESOURCES)
def test_resource_is_reachable(package: str, name: str) -> None:
    resource = resources.files(package).joinpath(name)
    assert resource.is_file()
    assert resource.read_text("utf-8").strip()


def test_bundled_themes_load_from_package_resources() -> None:
    themes, problems = load_themes([BUNDLED_THEMES])
    assert problems == []
    assert {t.name for t in themes} == {"kubechat-dark", "kubechat-light"}


def package_dirs() -> dict[str, Path]:
    """Every package in the source tree: mapped ones, then those under kubechat_tui/."""
    mapped = {name: ROOT / folder for name, folder in SETUPTOOLS["package-dir"].items()}
    found = {
        ".".join(init.parent.relative_to(ROOT).parts): init.parent
        for init in (ROOT / "kubechat_tui").rglob("__init__.py")
    }
    return {**found, **mapped}


def test_pyproject_lists_every_package() -> None:
    missing = sorted(set(package_dirs()) - set(SETUPTOOLS["packages"]))
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"
    gone = sorted(set(SETUPTOOLS["packages"]) - set(package_dirs()))
    assert not gone, f"{gone} listed in pyproject.toml but not in the tree"


def test_package_data_patterns_ship_every_data_file() -> None:
    patterns = SETUPTOOLS["package-data"]["*"]
    unshipped = [
        str(path.relative_to(ROOT))
        for folder in package_dirs().values()
        for path in folder.iterdir()
        if path.is_file() and path.suffix not in (".py", ".pyc")
        and not any(fnmatch.fnmatch(path.name, p) for p in patterns)
    ]
    assert not unshipped, f"not matched by [tool.setuptools.package-data]: {unshipped}"


def test_bundled_recipes_load_from_package_resources() -> None:
    catalog, problems = load_catalog([BUNDLED_RECIPES])
    assert problems == []
    assert set(catalog) == {p.stem for p in (ROOT / "recipes").glob("*.yaml")}
    assert "crashloop-triage" in catalog


def test_themes_and_recipes_stay_top_level_dirs() -> None:
    assert SETUPTOOLS["package-dir"] == {"kubechat_tui.themes": "themes",
                                         "kubechat_tui.recipes": "recipes"}
    assert {p.name for p in (ROOT / "themes").glob("*.yaml")} == \
        {name for package, name in RESOURCES if package == "kubechat_tui.themes"}


def test_theme_files_that_cannot_be_read_are_one_line_problems(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"name: caf\xe9\n")
    (tmp_path / "notes.txt").write_text("not a theme")
    (tmp_path / "ok.yml").write_text("name: ok\nprimary: '#112233'\n")
    themes, problems = load_themes([tmp_path])
    assert [t.name for t in themes] == ["ok"]
    assert problems == [f"{tmp_path / 'latin1.yaml'}: UnicodeDecodeError"]
