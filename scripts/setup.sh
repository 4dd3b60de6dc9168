#!/usr/bin/env bash
# Set up (or bring up to date) everything InScope needs to run and to be tested, on a fresh machine or an old one:
#   * checks for Python >= 3.11, Node.js >= 18 and npm;
#   * creates .venv if missing and installs the project with its dev extras (pip install -e '.[dev]');
#   * installs the pinned front-end packages (npm ci) and copies them into build/static/vendor/;
#   * with --test-tools (or its old name --browser): makes sure Debian's Chromium and DCMTK are installed (the
#     browser tests drive Chromium through Playwright, which never downloads a browser of its own here; the DICOM
#     tests use DCMTK's echoscu, findscu and storescu as the modality).
# Safe to run again: steps whose inputs have not changed are skipped.
#
# Usage: scripts/setup.sh [--test-tools]
# Env:   PYTHON (default python3), CHROMIUM_PATH (default /usr/bin/chromium)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WANT_TEST_TOOLS=0
for arg in "$@"; do
  case "$arg" in
    --test-tools|--browser) WANT_TEST_TOOLS=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (expected: --test-tools)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

# Playwright (Python) must never fetch a browser build of its own; the tests use Debian's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# --- 1. Prerequisites ---------------------------------------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || die "Python 3.11 or newer is required but '$PYTHON' was not found.
  Debian/Ubuntu: sudo apt-get install python3 python3-venv   (Debian 12 ships 3.11)
  or install 3.11+ with pyenv, then run this script again (set PYTHON=/path/to/python3.11 to choose one)."
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "Python 3.11 or newer is required; '$PYTHON' is $("$PYTHON" -c 'import platform; print(platform.python_version())').
  Debian/Ubuntu: sudo apt-get install python3 python3-venv   (Debian 12 ships 3.11)
  or install 3.11+ with pyenv and run again with PYTHON=/path/to/python3.11."
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null \
  || die "Python's venv module is not usable. Debian/Ubuntu: sudo apt-get install python3-venv"

command -v node >/dev/null 2>&1 || die "Node.js 18 or newer is required (for the NHS.UK frontend and htmx files) but 'node' was not found.
  Debian/Ubuntu: sudo apt-get install nodejs npm   (or install Node.js 18+ from nodejs.org / nvm)"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 18 ] || die "Node.js 18 or newer is required; found $(node --version).
  Install a newer Node.js (nodejs.org, nvm, or your distribution's backports) and run again."
command -v npm >/dev/null 2>&1 || die "npm was not found (it normally comes with Node.js).
  Debian/Ubuntu: sudo apt-get install npm"

say "python $("$PYTHON" -c 'import platform; print(platform.python_version())'), node $(node --version), npm $(npm --version)"

# --- 2. Python virtual environment and the project -----------------------------------------------------------------
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  say "creating .venv"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi

# Re-install only when pyproject.toml changed (or the install is incomplete); pip is slow to say "nothing to do".
PY_STAMP="$VENV/.inscope-install-stamp"
PY_HASH="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$PY_STAMP" 2>/dev/null || true)" != "$PY_HASH" ] \
   || [ ! -x "$VENV/bin/inscope" ] || [ ! -x "$VENV/bin/pytest" ] \
   || ! "$VENV/bin/python" -I -c 'import inscope' >/dev/null 2>&1; then
  say "installing the project and its dev tools into .venv (pip install -e '.[dev]')"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  echo "$PY_HASH" > "$PY_STAMP"
else
  say ".venv is up to date"
fi

# --- 3. Front-end packages -----------------------------------------------------------------------------------------
if [ -f package-lock.json ]; then
  NPM_STAMP="node_modules/.inscope-lock-stamp"
  NPM_HASH="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$NPM_STAMP" 2>/dev/null || true)" != "$NPM_HASH" ]; then
    say "installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$NPM_HASH" > "$NPM_STAMP"
  else
    say "node_modules is up to date"
  fi
else
  say "no package-lock.json: installing front-end packages (npm install)"
  npm install --no-audit --no-fund --loglevel=error
fi

"$VENV/bin/python" scripts/build_static.py

# --- 4. Test peers: Chromium for the browser tests, DCMTK for the DICOM tests (only with --test-tools) ---------------
# Both come from Debian; Playwright drives Debian's Chromium and the DICOM tests talk to DCMTK's echoscu, findscu and
# storescu, so a test run on a fresh machine exercises real peers rather than skipping.
apt_install() {  # apt_install PACKAGE CHECK_PATH WHY
  local package="$1" check="$2" why="$3"
  if [ -x "$check" ]; then
    say "$package found ($check)"
    return
  fi
  command -v apt-get >/dev/null 2>&1 || die "$package is needed for $why and $check was not found.
  This is not a Debian/Ubuntu system (no apt-get): install $package yourself."
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "$package is needed for $why. Install it: sudo apt-get install $package"
    sudo=(sudo)
    say "installing $package needs root: asking sudo"
  fi
  say "installing Debian's $package (apt-get install $package)"
  if ! ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null; then
    ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      || die "apt-get update failed. Install $package: sudo apt-get install $package"
    ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null \
      || die "apt-get install $package failed. Install it: sudo apt-get install $package"
  fi
  [ -x "$check" ] || die "apt-get installed $package but $check is still missing."
  say "$package installed"
}

if [ "$WANT_TEST_TOOLS" = 1 ]; then
  CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ ! -x "$CHROMIUM" ] && [ -n "${CHROMIUM_PATH:-}" ] && [ "$CHROMIUM_PATH" != /usr/bin/chromium ]; then
    die "CHROMIUM_PATH is set to '$CHROMIUM_PATH' but no executable is there.
  Fix CHROMIUM_PATH, or unset it to use Debian's Chromium (sudo apt-get install chromium)."
  fi
  apt_install chromium "$CHROMIUM" "the browser tests"
  apt_install dcmtk /usr/bin/findscu "the DICOM interoperability tests (echoscu, findscu, storescu)"
fi

say "done"
