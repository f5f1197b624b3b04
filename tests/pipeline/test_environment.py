"""environment.yml (conda, Binder) names the same packages, at the same versions, as pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml
from coursedir import ROOT


def _pins(requirements: list[str]) -> dict[str, str]:
    """``{normalised name: "==version"}`` from requirement lines like ``nbgrader==0.9.6``."""
    pins = {}
    for line in requirements:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*(.*?)\s*", line)
        assert match, f"cannot read requirement {line!r}"
        pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))]
    return _pins([p for p in pip if not p.startswith(("-", "."))] + conda)


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    expected = _pins(project["dependencies"] + project["optional-dependencies"]["course"])
    assert _environment() == expected


def test_environment_yml_installs_the_helpers_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip
    assert "./kernel-config" in pip, "every kernel of the environment must load the course's extension"


def test_requirements_lock_pins_the_same_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    expected = _pins(project["dependencies"] + project["optional-dependencies"]["course"])
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    locked = _pins([line for line in lines if line.strip() and not line.startswith("#")])
    assert {name: locked.get(name) for name in expected} == expected
