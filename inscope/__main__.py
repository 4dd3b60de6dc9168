"""The ``inscope`` command: Django's management commands with InScope's settings."""

import os
import sys


def needs_secret_key(argv: list[str]) -> bool:
    """Serving signs sessions and forms, and a deployment check must see the real key: both refuse without one."""
    command = argv[1] if len(argv) > 1 else ""
    if "--help" in argv or "-h" in argv:
        return False
    return command == "runserver" or (command == "check" and "--deploy" in argv)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inscope.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from inscope.lib.secret_key import how_to_set, is_missing_secret_key, require_secret_key

    what = f"inscope {sys.argv[1]}" if len(sys.argv) > 1 else "inscope"
    try:
        if needs_secret_key(sys.argv):
            require_secret_key(what)
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        if not is_missing_secret_key(exc):
            raise
        sys.exit(how_to_set(what))  # one sentence on standard error, status 1; no traceback


if __name__ == "__main__":
    main()
