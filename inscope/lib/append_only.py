"""Database triggers that refuse UPDATE and DELETE on append-only tables (audit trail, examination history).

Used from migrations, so it must stay free of app imports.
"""

from __future__ import annotations

from typing import Any


def install(table: str) -> Any:
    """Return a migration operation that installs the triggers for ``table`` on SQLite or PostgreSQL."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for statement in _statements(table, vendor):
            schema_editor.execute(statement, params=None)

    def backwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for kind in ("update", "delete"):
            if vendor == "postgresql":
                schema_editor.execute(f'DROP TRIGGER IF EXISTS {table}_no_{kind} ON "{table}"')
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{kind}")

    return migrations.RunPython(forwards, backwards)


def reinstall(table: str) -> Any:
    """Return an operation that installs the triggers again after a schema change: on SQLite, adding a column
    with a default rebuilds the table, and the rebuilt table has no triggers."""
    from django.db import migrations

    operation = install(table)

    def forwards(apps: Any, schema_editor: Any) -> None:
        operation.reverse_code(apps, schema_editor)
        operation.code(apps, schema_editor)

    return migrations.RunPython(forwards, migrations.RunPython.noop)


# SQLite's flush (used between transactional tests) deletes rows one table at a time, where PostgreSQL
# truncates, which row triggers do not see. So on SQLite a delete is refused unless this guard row says a
# purge is under way: a deliberate act, never done by the application.
SQLITE_GUARD = "inscope_append_only_guard"


def _statements(table: str, vendor: str) -> list[str]:
    if vendor == "sqlite":
        refuse = f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        return [
            f"CREATE TABLE IF NOT EXISTS {SQLITE_GUARD} (purging INTEGER NOT NULL)",
            f'CREATE TRIGGER {table}_no_update BEFORE UPDATE ON "{table}" {refuse}',
            f'CREATE TRIGGER {table}_no_delete BEFORE DELETE ON "{table}" '  # noqa: S608 - names are constants
            f"WHEN NOT EXISTS (SELECT 1 FROM {SQLITE_GUARD} WHERE purging = 1) {refuse}",
        ]
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION inscope_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql",
            *(
                f'CREATE TRIGGER {table}_no_{kind} BEFORE {kind.upper()} ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION inscope_refuse_change()"
                for kind in ("update", "delete")
            ),
        ]
    return []
