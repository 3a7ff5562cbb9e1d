"""``manage.py load_demo [--seed N] [--without-debug]``: load the demo data and print how to
log in.

The demo creates a superuser and delegate accounts with published passwords, so it
runs only with ``DEBUG`` on, unless ``--without-debug`` says it is meant (a public
demo server, the tests).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from atrium.demo.loader import load_demo
from atrium.demo.registration import CHECKIN_LOGIN, DELEGATE_LOGIN, DEMO_PASSWORD

ORGANISER = "organiser"
ORGANISER_PASSWORD = "atrium-demo"  # noqa: S105 - the published demo login


class Command(BaseCommand):
    help = "Load the demo: Nairobi 2024, Beijing 2025 and the association's network."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=2025, help="Seed of the random generator (2025)."
        )
        parser.add_argument(
            "--without-debug",
            action="store_true",
            help="Run even with DEBUG off (the demo's logins have published passwords).",
        )

    def handle(self, *args, seed: int, without_debug: bool = False, **options):
        if not settings.DEBUG and not without_debug:
            raise CommandError(
                "load_demo creates a superuser and other accounts whose passwords are "
                "published, and DEBUG is off: this looks like production. Run it with "
                "DEBUG=1, or pass --without-debug if you really mean to load the demo here."
            )
        load_demo(seed=seed, stdout=self.stdout)
        User = get_user_model()
        user = User.objects.filter(username=ORGANISER).first()
        if user is None:
            User.objects.create_superuser(
                username=ORGANISER, email="organiser@example.org", password=ORGANISER_PASSWORD
            )
            self.stdout.write(f"Created the demo organiser user '{ORGANISER}'.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: http://127.0.0.1:8000/admin/  user: {ORGANISER}  "
                f"password: {ORGANISER_PASSWORD}\n"
                f"Delegate: http://127.0.0.1:8000/accounts/login/  e-mail: {DELEGATE_LOGIN}  "
                f"password: {DEMO_PASSWORD}\n"
                f"Check-in staff: e-mail: {CHECKIN_LOGIN}  password: {DEMO_PASSWORD}"
            )
        )
