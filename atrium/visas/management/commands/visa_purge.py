"""Remove the passport data of visa-letter requests a set time after their edition.

Schedule it (cron, a systemd timer) once a day, e.g.::

    15 3 * * *  cd /srv/atrium && .venv/bin/python manage.py visa_purge

Keeps each request's status, dates and letter number; logs every removal. Running it
again changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from atrium.events.models import Conference
from atrium.visas.services import visa_purge


class Command(BaseCommand):
    help = (
        "Remove the passport data of visa-letter requests of editions that ended at least "
        "--days days ago (default: ATRIUM_PASSPORT_RETENTION_DAYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--conference", metavar="SLUG", help="Only this edition.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days after the edition's last day (default: ATRIUM_PASSPORT_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be removed."
        )

    def handle(self, *args, conference=None, days=None, dry_run=False, **options):
        if days is None:
            days = settings.ATRIUM_PASSPORT_RETENTION_DAYS
        edition = None
        if conference:
            edition = Conference.objects.filter(slug=conference).first()
            if edition is None:
                raise CommandError(f"There is no edition with the slug {conference!r}.")
        try:
            results = visa_purge(conference=edition, days=days, dry_run=dry_run)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        verb = "would remove" if dry_run else "removed"
        total = 0
        for result in results:
            total += result.count
            self.stdout.write(
                f"{result.conference.slug}: {verb} the passport data of {result.count} request(s)."
            )
        if not results:
            self.stdout.write(f"No edition ended {days} or more days ago.")
        cleared = "would be cleared" if dry_run else "cleared"
        self.stdout.write(f"Total: {total} request(s) {cleared} (retention {days} days).")
