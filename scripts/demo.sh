#!/usr/bin/env bash
# Run InScope locally with the demo department on SQLite: http://127.0.0.1:${PORT:-8000}
# Sets everything up first (scripts/setup.sh), then migrates, loads the demo data (printing the demo logins)
# and starts Django's development server. Stop it with Ctrl+C. Development only: DEBUG is on.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/scripts/setup.sh"

export DEBUG=true
# Always the default SQLite file (inscope.sqlite3 in the repository root), whatever the shell has set.
unset DATABASE_URL
PORT="${PORT:-8000}"

.venv/bin/inscope migrate --noinput
.venv/bin/inscope load_demo

# Unacknowledged escalations are sent again by their own process, as in production.
.venv/bin/inscope notify_escalations --loop > /dev/null &
NOTIFIER=$!
# The DICOM listener: the modalities' worklist, MPPS and dose reports (127.0.0.1:11112, AE title INSCOPE).
.venv/bin/inscope dicom listen &
LISTENER=$!
trap 'kill "$NOTIFIER" "$LISTENER" 2>/dev/null || true' EXIT

echo
echo "demo: InScope is starting at http://127.0.0.1:${PORT}/ (Ctrl+C to stop)"
echo "demo: try ap.patel (worklist: WALKER, Sarah), r.hughes (escalations), m.okafor (policy), p.shah (dose audit)"
echo "demo: and rps.lee (SAUE reviews); the DICOM listener answers on 127.0.0.1:11112 (AE title INSCOPE)"
.venv/bin/inscope runserver "127.0.0.1:${PORT}"
