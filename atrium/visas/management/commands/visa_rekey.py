"""Re-encrypt stored passport data with the first key of ATRIUM_PASSPORT_KEY.

Key rotation: put the new key first and keep the old one after it
(``ATRIUM_PASSPORT_KEY=new,old``), run this command, then drop the old key.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from atrium.visas.crypto import reencrypt
from atrium.visas.models import VisaLetterRequest


class Command(BaseCommand):
    help = "Re-encrypt the passport data of visa-letter requests with the first configured key."

    def handle(self, *args, **options):
        done = 0
        pks = list(
            VisaLetterRequest.objects.exclude(passport_data="")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(pks), 500):
            with transaction.atomic():
                for visa_request in VisaLetterRequest.objects.select_for_update().filter(
                    pk__in=pks[start : start + 500]
                ):
                    if not visa_request.passport_data:
                        continue
                    visa_request.passport_data = reencrypt(visa_request.passport_data)
                    visa_request.save(update_fields=["passport_data"])
                    done += 1
        self.stdout.write(f"Re-encrypted the passport data of {done} request(s).")
