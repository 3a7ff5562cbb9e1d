"""``manage.py load_demo [--seed N]``: load the demo data and print how to log in."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

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

    def handle(self, *args, seed: int, **options):
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
