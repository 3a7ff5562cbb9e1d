"""``manage.py review_reminders``: mail reviewers with open reviews, 7 and 3 days before a
call's review deadline. Schedule it once a day (cron or a periodic task); a day on which no
call is 7 or 3 days from its deadline sends nothing, so running it twice a day would send
twice: run it daily."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from atrium.reviews.models import Call
from atrium.reviews.services import review_reminders


class Command(BaseCommand):
    help = "Mail reviewers with open reviews 7 and 3 days before each call's review deadline."

    def handle(self, *args, **options):
        now = timezone.now()
        total = 0
        calls = Call.objects.filter(review_until__gt=now).select_related("conference")
        for call in calls:
            url = settings.ATRIUM_SITE_URL + reverse(
                "reviews:review-home", kwargs={"slug": call.conference.slug, "call_slug": call.slug}
            )
            sent = review_reminders(call=call, at=now, url=url)
            if sent:
                self.stdout.write(f"{call}: {sent} reminder(s)")
            total += sent
        self.stdout.write(f"{total} reminder(s) sent.")
