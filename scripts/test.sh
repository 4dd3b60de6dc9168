#!/usr/bin/env bash
# Run InScope's whole test suite: lint (ruff), architecture contracts (import-linter), types (mypy),
# the missing-migrations check, then pytest (unit, integration and headless-Chromium browser tests).
# Sets everything up first (scripts/setup.sh --test-tools, which installs Debian's Chromium and DCMTK if missing).
#
# Usage: scripts/test.sh [pytest arguments...]      e.g. scripts/test.sh -k escalation -x
# Database: SQLite by default; set DATABASE_URL=postgres://... to run against PostgreSQL
#           (pytest-django creates and drops its own test_<name> database; the role needs CREATEDB).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/scripts/setup.sh" --test-tools

if [ -n "${DATABASE_URL:-}" ]; then
  echo "test: database from DATABASE_URL (${DATABASE_URL%%://*})"
else
  echo "test: database SQLite (set DATABASE_URL to use PostgreSQL)"
fi

echo "test: ruff check"
.venv/bin/ruff check .

echo "test: import contracts (lint-imports)"
.venv/bin/lint-imports

echo "test: types (mypy)"
DEBUG=true .venv/bin/mypy inscope

echo "test: missing migrations (makemigrations --check)"
DEBUG=true .venv/bin/inscope makemigrations --check --dry-run

echo "test: pytest"
export DEBUG="${DEBUG:-true}"
exec .venv/bin/pytest "$@"
