#!/usr/bin/env python3
"""Copy the npm front-end files InScope serves from node_modules into build/static/vendor/.

There is no JavaScript build step: the packages' own built files are copied as they are, with three fixes
(see shared STACK-NOTES, section 3):

* the NHS.UK CSS refers to its icons as ``url(/assets/...)``; that is rewritten to ``url(assets/...)`` and the
  ``assets/`` folder is copied next to the CSS, so the icons resolve under STATIC_URL and the manifest storage
  hashes them too;
* the NHS.UK CSS loads the Frutiger webfont from the NHS font CDN (``https://assets.nhs.uk/fonts/``). Frutiger is
  licensed: no package registry ships it, and hospital networks often block third-party hosts. So every
  ``@font-face`` rule whose source is on another host is removed, and the pages use the next fonts of the NHS
  stack (``"Frutiger W01", arial, sans-serif``): Arial. This is what the Sass setting
  ``$nhsuk-include-default-font-face: false`` does, without compiling the Sass. The build fails if any copied CSS
  still refers to another host (``url(http...)``, ``url(//...)`` or such an ``@import``);
* a ``.min.js``/``.min.css`` whose ``.map`` is not shipped would make ``collectstatic`` fail with a Manifest
  storage, so its ``sourceMappingURL`` comment is stripped. A file rewritten here no longer matches its map, so its
  map is not copied either.

Output (settings.STATICFILES_DIRS includes build/static):

    build/static/vendor/nhsuk/nhsuk-frontend.min.css
    build/static/vendor/nhsuk/nhsuk-frontend.min.js  (+ .map)
    build/static/vendor/nhsuk/assets/...
    build/static/vendor/htmx/htmx.min.js (+ .map if the package ships one)
    build/static/vendor/axe/axe.min.js   (browser tests only)

Standard library only. Run after ``npm ci``; safe to run again (the vendor folder is rebuilt from scratch).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "build" / "static" / "vendor"

SOURCE_MAP_COMMENT = re.compile(r"\n?(//[#@] sourceMappingURL=[^\n]*|/\*[#@] sourceMappingURL=[^*]*\*/)\s*$")
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
# A reference the browser would fetch from another host: url(http://...), url("//..."), @import "https://...".
EXTERNAL_REFERENCE = re.compile(r"""(url\(\s*['"]?|@import\s+['"])\s*(https?:)?//""", re.IGNORECASE)


class BuildError(Exception):
    pass


def package_dir(name: str) -> Path:
    path = NODE_MODULES / name
    if not (path / "package.json").is_file():
        raise BuildError(
            f"npm package '{name}' is not installed ({path} is missing).\n"
            "Run `npm ci` in the repository root first (./scripts/setup.sh does this for you)."
        )
    return path


def package_version(path: Path) -> str:
    return json.loads((path / "package.json").read_text(encoding="utf-8")).get("version", "?")


def require(path: Path) -> Path:
    if not path.is_file():
        raise BuildError(f"expected file is missing: {path.relative_to(ROOT)} (is the npm package version right?)")
    return path


def copy_with_map(src: Path, dest_dir: Path, rewrite=None) -> list[str]:
    """Copy a minified file and its source map; strip the sourceMappingURL comment if there is no map, or if the
    rewrite changed the file (the map's positions would be wrong)."""
    require(src)
    original = src.read_text(encoding="utf-8")
    text = rewrite(original) if rewrite is not None else original
    written = [src.name]
    source_map = src.with_name(src.name + ".map")
    if source_map.is_file() and text == original:
        shutil.copy2(source_map, dest_dir / source_map.name)
        written.append(source_map.name)
    else:
        text = SOURCE_MAP_COMMENT.sub("", text) + ("\n" if not text.endswith("\n") else "")
    (dest_dir / src.name).write_text(text, encoding="utf-8")
    return written


def without_external_font_faces(css: str) -> str:
    """Remove every @font-face rule that loads a font from another host (the NHS font CDN)."""
    return FONT_FACE.sub(lambda rule: "" if EXTERNAL_REFERENCE.search(rule.group(0)) else rule.group(0), css)


def external_references(css: str) -> list[str]:
    """The places in a stylesheet that would make the browser fetch from another host."""
    return [css[max(m.start() - 40, 0):m.end() + 60] for m in EXTERNAL_REFERENCE.finditer(css)]


def rewrite_nhsuk_css(text: str) -> str:
    fixed = text.replace("url(/assets/", "url(assets/")
    for quote in ("'", '"'):
        fixed = fixed.replace(f"url({quote}/assets/", f"url({quote}assets/")
    return without_external_font_faces(fixed)


def check_no_external_references(out: Path) -> None:
    """Fail the build if any stylesheet it wrote would load something from another host."""
    for css in sorted(out.rglob("*.css")):
        found = external_references(css.read_text(encoding="utf-8"))
        if found:
            raise BuildError(f"{css.relative_to(out)} still loads from another host: {found[0]!r}"
                             f"{f' (and {len(found) - 1} more)' if len(found) > 1 else ''}")


def build(out: Path) -> list[str]:
    report = []

    nhsuk = package_dir("nhsuk-frontend")
    nhsuk_dist = nhsuk / "dist" / "nhsuk"
    dest = out / "nhsuk"
    dest.mkdir(parents=True)
    files = copy_with_map(nhsuk_dist / "nhsuk-frontend.min.css", dest, rewrite=rewrite_nhsuk_css)
    files += copy_with_map(nhsuk_dist / "nhsuk-frontend.min.js", dest)
    assets = nhsuk_dist / "assets"
    if not assets.is_dir():
        raise BuildError(f"expected folder is missing: {assets.relative_to(ROOT)}")
    shutil.copytree(assets, dest / "assets")
    files.append("assets/")
    if "url(/assets/" in (dest / "nhsuk-frontend.min.css").read_text(encoding="utf-8"):
        raise BuildError("nhsuk-frontend.min.css still has absolute /assets/ URLs after the rewrite")
    report.append(f"nhsuk-frontend {package_version(nhsuk)}: {', '.join(files)}")

    htmx = package_dir("htmx.org")
    dest = out / "htmx"
    dest.mkdir(parents=True)
    files = copy_with_map(htmx / "dist" / "htmx.min.js", dest)
    report.append(f"htmx.org {package_version(htmx)}: {', '.join(files)}")

    axe = package_dir("axe-core")
    dest = out / "axe"
    dest.mkdir(parents=True)
    files = copy_with_map(axe / "axe.min.js", dest)
    report.append(f"axe-core {package_version(axe)}: {', '.join(files)}")

    check_no_external_references(out)
    return report


def main() -> int:
    if not NODE_MODULES.is_dir():
        print(
            f"build_static: {NODE_MODULES} is missing.\n"
            "Install the front-end packages first: run `npm ci` in the repository root "
            "(or ./scripts/setup.sh, which also does everything else).",
            file=sys.stderr,
        )
        return 1
    VENDOR.parent.mkdir(parents=True, exist_ok=True)
    # Build into a temporary folder beside the target, then swap it in: never leave a half-copied vendor folder.
    tmp = Path(tempfile.mkdtemp(prefix=".vendor-", dir=VENDOR.parent))
    try:
        report = build(tmp)
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        tmp.rename(VENDOR)
    except BuildError as exc:
        print(f"build_static: {exc}", file=sys.stderr)
        return 1
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    for line in report:
        print(f"build_static: {line}")
    print(f"build_static: wrote {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
