"""inscope load_demo: load the Northgate Imaging demonstration department and print its logins."""

from django.core.management.base import BaseCommand

from inscope.demo.northgate import DEMO_PASSWORD, PEOPLE, load_demo


class Command(BaseCommand):
    help = "Load the demo department (two sites, staff, approved policy, today's supervision and worklist)."

    def handle(self, *args, **options):
        outcome = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Northgate Imaging demo: {outcome}."))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, name, _roles, title in PEOPLE:
            self.stdout.write(f"  {username:<12} {name:<15} {title}")
