"""Without a secret key, serving refuses to start with one sentence saying how to set it; commands that never
sign anything run as they are."""

from __future__ import annotations

import pytest
from plain_shell import run

HOW = "needs a secret key: set SECRET_KEY (or SECRET_KEY_FILE, a file holding it), or DEBUG=true on a laptop.\n"


@pytest.mark.parametrize(
    ("command", "refused"),
    [
        (".venv/bin/inscope runserver 127.0.0.1:0", "inscope runserver"),
        (".venv/bin/python manage.py runserver 127.0.0.1:0", "inscope runserver"),
        (".venv/bin/inscope check --deploy", "inscope check"),
        # Anything that signs is refused by Django, and reported the same way.
        (".venv/bin/inscope shell -c 'from django.core import signing; signing.dumps(1)'", "inscope shell"),
        (".venv/bin/python -c 'import inscope.wsgi'", None),
    ],
)
def test_what_needs_the_key_refuses_without_it_in_one_sentence(command, refused):
    done = run(command)

    assert done.returncode == 1
    if refused:
        assert done.stderr == f"{refused} {HOW}"
    else:  # gunicorn's import of the WSGI application: the traceback is gunicorn's, the reason ours
        assert done.stderr.endswith(f"SecretKeyMissing: Serving InScope {HOW}")


def test_with_a_key_the_application_loads(tmp_path):
    key = tmp_path / "secret"
    key.write_text("a-test-secret-key-of-fifty-characters-or-more-0123456789\n")

    for env in ({"SECRET_KEY_FILE": str(key)}, {"DEBUG": "true"}):
        done = run(".venv/bin/python -c 'import inscope.wsgi; print(\"served\")'", env=env)
        assert (done.returncode, done.stdout) == (0, "served\n"), done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ".venv/bin/inscope --help",
        ".venv/bin/inscope dose import --help",
        ".venv/bin/inscope runserver --help",
        ".venv/bin/inscope policy validate inscope/policy/demo_policy.yaml",
        ".venv/bin/inscope check",
    ],
)
def test_commands_that_never_sign_run_without_it(command):
    done = run(command)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "secret key" not in done.stderr
