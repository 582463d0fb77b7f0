"""The shape of the package (DESIGN section 2): every package folder ships in a
wheel, no folder grows past 15 modules, no module past 400 lines."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_PACKAGES = ("twin", "io", "scene", "ui")
NOT_PACKAGE_CODE = ("tests", "benchmarks", "resources", ".venv", "build", "dist")
MAX_MODULES_PER_FOLDER = 15
MAX_LINES_PER_FILE = 400


def package_folders() -> list[Path]:
    """The root and every folder with an ``__init__.py`` under the top packages."""
    folders = [ROOT]
    for top in TOP_PACKAGES:
        folders += sorted(init.parent for init in (ROOT / top).rglob("__init__.py"))
    return folders


def dotted(folder: Path) -> str:
    return ".".join(("linetwin", *folder.relative_to(ROOT).parts))


def package_code() -> list[Path]:
    """Every .py file of the package, outside tests, benchmarks and resources."""
    return sorted(p for p in ROOT.rglob("*.py")
                  if p.relative_to(ROOT).parts[0] not in NOT_PACKAGE_CODE)


def test_every_package_folder_is_listed_in_pyproject():
    # An editable install finds unlisted packages on disk; a wheel leaves them out.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    missing = [dotted(folder) for folder in package_folders() if dotted(folder) not in listed]
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"
    gone = sorted(listed - {dotted(folder) for folder in package_folders()})
    assert not gone, f"listed in pyproject.toml but no package folder: {gone}"


def test_a_folder_holding_modules_without_init_is_not_a_hidden_package():
    # A folder of modules with no __init__.py imports as a namespace package in a
    # checkout, but setuptools' explicit package list never ships it.
    orphans = sorted({str(p.parent.relative_to(ROOT)) for p in package_code()
                      if p.parent != ROOT and not (p.parent / "__init__.py").exists()
                      and p.parent.name != "__pycache__"})
    assert not orphans, f"folders with modules but no __init__.py: {orphans}"


def test_no_folder_holds_more_than_15_modules():
    """The package, and the tests and benchmarks that mirror it."""
    others = [ROOT / "benchmarks", *sorted(i.parent for i in (ROOT / "tests").rglob("__init__.py")
                                          if "node_modules" not in i.parts)]
    crowded = {str(folder.relative_to(ROOT)) or ".": n for folder in package_folders() + others
               if (n := len(list(folder.glob("*.py")))) > MAX_MODULES_PER_FOLDER}
    assert not crowded, f"split these folders by concern (modules directly inside): {crowded}"


def test_no_module_exceeds_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in package_code()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES_PER_FILE}
    assert not long, f"split these files (lines): {long}"
