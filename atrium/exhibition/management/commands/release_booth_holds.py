from django.core.management.base import BaseCommand

from atrium.exhibition.services import holds_release_expired


class Command(BaseCommand):
    help = "Release booth holds whose 15 minutes are over (run every few minutes by cron)."

    def handle(self, *args, **options):
        count = holds_release_expired()
        self.stdout.write(f"Released {count} expired booth hold(s).")
