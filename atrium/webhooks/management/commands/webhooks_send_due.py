from django.core.management.base import BaseCommand

from atrium.webhooks.services import deliveries_send_due


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries whose next attempt is due. Needed only with a task "
        "backend that cannot run tasks later, or to catch up after the queue was down; "
        "safe to run from cron at any interval."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many at once.")

    def handle(self, *args, limit: int, **options):
        count = deliveries_send_due(limit=limit)
        self.stdout.write(f"{count} webhook deliveries tried.")
