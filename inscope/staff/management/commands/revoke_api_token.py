"""inscope revoke_api_token: stop a system's token working at once."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from inscope.audit.services import record
from inscope.staff.models import ApiToken


class Command(BaseCommand):
    help = "Revoke every active API token of USERNAME called NAME."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name")

    def handle(self, *args, username, name, **options):
        tokens = ApiToken.objects.filter(user__username=username, name=name, revoked_at__isnull=True)
        if not tokens.exists():
            raise CommandError(f"{username} has no active token called {name!r}.")
        for token in tokens:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record("api_token.revoked", token, by=None, channel="cli", summary=f"Revoked {name} for {username}")
        self.stdout.write(f"Revoked token {name!r} of {username}.")
