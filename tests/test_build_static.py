"""The front-end build copies nothing that would make a page load from another host (a hospital network often
blocks them): the NHS font CDN's @font-face rules are removed, and any other external reference fails the build."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "build" / "static" / "vendor"
OWN_STATIC = ROOT / "inscope" / "static"

# Written independently of the build script's own pattern, so the two check each other.
EXTERNAL = re.compile(r"""url\(\s*["']?\s*(https?:)?//|@import\s+["'](https?:)?//""", re.IGNORECASE)


def _build_static():
    spec = importlib.util.spec_from_file_location("build_static", ROOT / "scripts" / "build_static.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_static = _build_static()


def _stylesheets() -> list[Path]:
    return sorted([*VENDOR.rglob("*.css"), *OWN_STATIC.rglob("*.css")])


def test_no_served_stylesheet_loads_from_another_host() -> None:
    assert (VENDOR / "nhsuk" / "nhsuk-frontend.min.css").is_file(), "run scripts/setup.sh (or build_static.py)"
    offending = {
        str(css.relative_to(ROOT)): EXTERNAL.findall(css.read_text(encoding="utf-8")) for css in _stylesheets()
    }
    assert {path: found for path, found in offending.items() if found} == {}


def test_the_nhs_css_keeps_its_font_stack_without_the_cdn_font_faces() -> None:
    css = (VENDOR / "nhsuk" / "nhsuk-frontend.min.css").read_text(encoding="utf-8")
    assert "assets.nhs.uk" not in css
    assert "@font-face" not in css
    # The NHS stack falls back to Arial when Frutiger is not on the machine.
    assert "font-family:Frutiger W01,arial,sans-serif" in css


def test_a_rebuild_from_node_modules_has_no_external_reference(tmp_path: Path) -> None:
    out = tmp_path / "vendor"
    out.mkdir()
    build_static.build(out)
    assert [css for css in out.rglob("*.css") if EXTERNAL.search(css.read_text(encoding="utf-8"))] == []
    # A rewritten stylesheet ships without its (now wrong) source map and without a comment pointing at it.
    css = (out / "nhsuk" / "nhsuk-frontend.min.css").read_text(encoding="utf-8")
    assert "sourceMappingURL" not in css
    assert not (out / "nhsuk" / "nhsuk-frontend.min.css.map").exists()


@pytest.mark.parametrize(
    ("css", "kept"),
    [
        ('@font-face{font-family:X;src:url(https://cdn.example/x.woff2) format("woff2")}p{color:red}', "p{color:red}"),
        ("@font-face{font-family:X;src:url('//cdn.example/x.woff')}p{color:red}", "p{color:red}"),
        # A font served by the app itself stays.
        ("@font-face{font-family:X;src:url(fonts/x.woff2)}p{color:red}",
         "@font-face{font-family:X;src:url(fonts/x.woff2)}p{color:red}"),
    ],
)
def test_only_font_faces_on_another_host_are_removed(css: str, kept: str) -> None:
    assert build_static.without_external_font_faces(css) == kept


@pytest.mark.parametrize(
    "css",
    [
        ".a{background:url(https://cdn.example/i.png)}",
        '.a{background:url( "http://cdn.example/i.png")}',
        ".a{background:url(//cdn.example/i.png)}",
        '@import "https://cdn.example/more.css";',
    ],
)
def test_the_build_fails_on_any_other_external_reference(tmp_path: Path, css: str) -> None:
    (tmp_path / "x.css").write_text(css, encoding="utf-8")
    with pytest.raises(build_static.BuildError, match="x.css still loads from another host"):
        build_static.check_no_external_references(tmp_path)


def test_local_references_pass_the_check(tmp_path: Path) -> None:
    (tmp_path / "x.css").write_text('.a{background:url(assets/images/i.svg)}.b{background:url("data:x")}',
                                    encoding="utf-8")
    build_static.check_no_external_references(tmp_path)
