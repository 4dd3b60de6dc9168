"""The secret key signs sessions, CSRF tokens and password-reset links, so serving pages needs one. Commands
that only read files or the database (``policy``, ``migrate``, ``dose import``, ...) run without it; anything
that does reach for an unset key is refused by Django ("The SECRET_KEY setting must not be empty")."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


class SecretKeyMissing(ImproperlyConfigured):
    pass


def how_to_set(what: str) -> str:
    return (
        f"{what} needs a secret key: set SECRET_KEY (or SECRET_KEY_FILE, a file holding it), "
        "or DEBUG=true on a laptop."
    )


def require_secret_key(what: str) -> None:
    """Refuse to go on without a secret key, saying how to set one."""
    if not has_secret_key():
        raise SecretKeyMissing(how_to_set(what))


def has_secret_key() -> bool:
    from django.conf import settings

    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:
        return False


def is_missing_secret_key(exc: ImproperlyConfigured) -> bool:
    """Whether EXC is a refusal for want of a secret key (ours, or Django's when something tried to sign)."""
    return isinstance(exc, SecretKeyMissing) or ("SECRET_KEY" in str(exc) and not has_secret_key())
