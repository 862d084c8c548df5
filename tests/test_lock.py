"""The locks in requirements/ cover what pyproject.toml names, and the test environment is the lock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;(?P<marker>[^\\]+))?\\?$")


def all_pins(lock: str) -> list[tuple[str, Version, Marker | None, int]]:
    """Every pin of a lock: name, version, environment marker and how many hashes it carries.

    A universal lock may pin one package twice, e.g. numpy for Python 3.11 and for 3.12 and newer.
    """
    found: list[tuple[str, Version, Marker | None, int]] = []
    for line in (REQUIREMENTS / lock).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        match = PIN.match(stripped)
        if match:
            marker = Marker(match["marker"]) if match["marker"] else None
            found.append((canonicalize_name(match["name"]), Version(match["version"]), marker, 0))
        elif stripped.startswith("--hash=sha256:") and found:
            name, version, marker, hashes = found[-1]
            found[-1] = (name, version, marker, hashes + 1)
    return found


def pins(lock: str) -> dict[str, tuple[Version, Marker | None, int]]:
    """Each locked package as this interpreter installs it: the pin whose marker holds here, else its first."""
    found: dict[str, tuple[Version, Marker | None, int]] = {}
    for name, version, marker, hashes in all_pins(lock):
        applies = marker is None or marker.evaluate()
        if name not in found or applies:
            found[name] = (version, marker, hashes)
    return found


def declared(*, extras: tuple[str, ...] = ()) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(text) for text in names]


@pytest.mark.parametrize(("lock", "extras"), [("runtime.txt", ()), ("test.txt", ("test",))])
def test_lock_pins_every_declared_dependency_within_its_range(lock, extras) -> None:
    locked = pins(lock)
    for requirement in declared(extras=extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is not in requirements/{lock}: run make lock"
        version, _marker, hashes = locked[name]
        outside = f"{lock}: {name}=={version} is outside {requirement}"
        assert requirement.specifier.contains(version, prereleases=True), outside
        assert hashes, f"{lock}: {name} has no hash"
        for extra in requirement.extras:  # psycopg[binary] locks psycopg-binary too
            assert any(other.startswith(f"{name}-{extra}") for other in locked), f"{lock}: {requirement} extra"


@pytest.mark.parametrize("lock", ["pip.txt", "runtime.txt", "test.txt"])
def test_every_pin_carries_hashes(lock) -> None:
    locked = all_pins(lock)
    assert locked
    assert all(hashes for _name, _version, _marker, hashes in locked)


def test_runtime_lock_agrees_with_the_test_lock() -> None:
    test = pins("test.txt")
    for name, (version, _marker, _hashes) in pins("runtime.txt").items():
        assert test[name][0] == version, f"{name}: runtime.txt has {version}, test.txt has {test[name][0]}"


def test_this_environment_is_exactly_the_test_lock() -> None:
    # No package may come from an earlier install: every installed distribution is locked, at its locked version.
    locked = pins("test.txt") | pins("pip.txt")
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name == "dhti":
            continue
        assert name in locked, f"{name} {dist.version} is installed but not locked"
        assert Version(dist.version) == locked[name][0], f"{name} {dist.version} installed, {locked[name][0]} locked"
    for name, (version, marker, _hashes) in locked.items():
        if marker is None or marker.evaluate():
            assert Version(metadata.version(name)) == version, f"{name}=={version} is locked but not installed"


def test_pip_check_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_browser_tests_javascript_is_locked_exactly_with_integrity_hashes() -> None:
    browser = ROOT / "tests" / "browser"
    wanted = json.loads((browser / "package.json").read_text(encoding="utf-8"))["dependencies"]
    packages = json.loads((browser / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert "axe-core" in wanted
    for name, version in wanted.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} {version}: pin one exact version (npm --save-exact)"
        assert packages[f"node_modules/{name}"]["version"] == version
    for path, package in packages.items():
        if path:  # the empty key is the project itself
            assert package["integrity"].startswith("sha512-"), f"{path} has no integrity hash"
