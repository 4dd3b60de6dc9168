"""``inscope issue_api_token USERNAME NAME``

Issues a bearer token for the REST API to an active account (usually a service account for a RIS or a modality
broker) and prints its key once, on standard output alone, so it can be captured:

    KEY=$(inscope issue_api_token ris.northgate "Northgate RIS")

Only the key's hash is stored: a lost key cannot be shown again; issue a new one and revoke the old one by
setting its ``revoked_at`` (docs/interfaces.md shows how). The API acts with the account's roles, so give the
account only the roles it needs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inscope.audit.services import record
from inscope.staff.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue a REST API bearer token to an account and print its key once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the account the token acts as")
        parser.add_argument("name", help="what the token is for, e.g. 'Northgate RIS'")

    def handle(self, *args: Any, **options: Any) -> None:
        username, name = options["username"], options["name"].strip()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account called {username!r}.", returncode=1)
        if not user.is_active:
            raise CommandError(f"The account {username!r} is inactive; tokens for it would be refused.", returncode=1)
        if not name or len(name) > (ApiToken._meta.get_field("name").max_length or 80):
            raise CommandError("Give the token a name of 1 to 80 characters.", returncode=1)
        token, key = ApiToken.issue(user, name)
        record("api_token.issued", token, by=None, channel="cli", summary=f"API token {name!r} issued to {username}")
        self.stderr.write(f"Issued token {token.pk} {name!r} for {username}. The key is shown once: store it now.")
        self.stdout.write(key)
