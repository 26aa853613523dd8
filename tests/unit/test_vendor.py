"""The vendored browser libraries are exactly the files web/static/vendor/README.md lists (version,
licence, sha256), each with its licence beside it; the pages reference nothing from another origin."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
VENDOR = STATIC / "vendor"
TEMPLATES = STATIC.parent / "templates"
ROW = re.compile(
    r"^\| \[(?P<name>[^\]]+)\]\([^)]+\) \| (?P<version>[\d.]+) \| `(?P<file>[^`]+)` "
    r".*`(?P<sha>[0-9a-f]{64})` \|$"
)


def listed() -> list[dict[str, str]]:
    rows = [m.groupdict() for m in map(ROW.match, (VENDOR / "README.md").read_text().splitlines()) if m]
    assert rows, "the README lists the vendored files"
    return rows


def test_every_vendored_file_is_listed_with_its_checksum_and_licence() -> None:
    rows = listed()
    for row in rows:
        path = VENDOR / row["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha"], row["file"]
        assert (path.parent / "LICENSE").is_file(), f"{row['name']} has its licence beside it"
        assert row["version"] in path.read_text(encoding="utf-8", errors="replace"), (
            "the file names its version"
        )
    shipped = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*.js")} | {
        p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*.mjs")
    }
    assert shipped == {row["file"] for row in rows}


def test_pages_and_own_code_load_nothing_from_another_origin() -> None:
    own = [
        *STATIC.joinpath("js").glob("*.js"),
        *STATIC.joinpath("css").glob("*.css"),
        *TEMPLATES.rglob("*.html"),
    ]
    for path in own:
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r"""(?:src|href)=["'](https?:)?//""", text):
            raise AssertionError(f"{path.name} loads from another origin ({url})")
        assert "@import url(http" not in text and "fonts.googleapis" not in text, path.name
