"""Visa letters: validation, encryption at rest, review, letter numbers, the PDF, the purge."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test import override_settings
from PIL import Image
from pypdf import PdfReader

from atrium.core.models import AuditEntry
from atrium.registration.models import Registration
from atrium.visas import services as visas
from atrium.visas.crypto import PassportKeyError
from atrium.visas.models import VisaLetterRequest
from tests.factories import (
    ConferenceFactory,
    LetterheadFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.visas.factories import (
    VisaLetterRequestFactory,
    passport,
)

pytestmark = pytest.mark.django_db

Status = VisaLetterRequest.Status
START, END = dt.date(2025, 9, 16), dt.date(2025, 9, 18)  # the factory edition's dates


@pytest.fixture
def conference():
    return ConferenceFactory(name="World Conference 2025", start_date=START, end_date=END)


@pytest.fixture
def registration(conference):
    user = UserFactory(email="cecile@example.org")
    person = PersonFactory(
        user=user, name="Cecile Harle", email=user.email, country="FR", position="Director"
    )
    return RegistrationFactory(conference=conference, person=person, language="en")


@pytest.fixture
def organiser():
    return UserFactory(email="orga@example.org")


def submit(registration, *, entry=dt.date(2025, 9, 14), exit=dt.date(2025, 9, 20), city="Lyon",
           **passport_fields):  # fmt: skip
    return visas.visa_request_submit(
        registration=registration,
        passport=passport(**passport_fields),
        entry_date=entry,
        exit_date=exit,
        consulate_city=city,
        actor=registration.person.user,
    )


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def _text(pdf: bytes) -> str:
    # fpdf2 writes a CMap that makes pypdf put a NUL before each character: drop them.
    return "\n".join(
        page.extract_text().replace("\x00", "") for page in PdfReader(io.BytesIO(pdf)).pages
    )


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"passport_expiry": dt.date(2026, 3, 19)}, "passport_expiry", "6 months after your exit"),
        ({"passport_name": "  "}, "passport_name", "exactly as printed"),
        ({"passport_name": "Cecile H4rle"}, "passport_name", "no digits"),
        ({"nationality": ""}, "nationality", "Choose your nationality"),
        ({"nationality": "XX"}, "nationality", "from the list"),
        ({"nationality": "CN"}, "nationality", "host country need no visa"),
        ({"date_of_birth": None}, "date_of_birth", "date of birth"),
        ({"date_of_birth": dt.date(2099, 1, 1)}, "date_of_birth", "in the past"),
        ({"date_of_birth": dt.date(1901, 1, 1)}, "date_of_birth", "not plausible"),
        ({"date_of_birth": dt.date(2020, 1, 1)}, "date_of_birth", "not plausible"),
        ({"passport_number": ""}, "passport_number", "passport number"),
        ({"passport_number": "AB12"}, "passport_number", "5 to 20 letters and digits"),
        ({"passport_number": "AB-123456"}, "passport_number", "5 to 20 letters and digits"),
        ({"passport_number": "A" * 21}, "passport_number", "5 to 20 letters and digits"),
        ({"passport_expiry": None}, "passport_expiry", "expiry date"),
        ({"entry": None}, "entry_date", "enter the country"),
        ({"entry": dt.date(2025, 8, 16)}, "entry_date", "30 days before"),
        ({"entry": dt.date(2025, 9, 19), "exit": dt.date(2025, 9, 25)}, "entry_date", "ends"),
        ({"exit": None}, "exit_date", "leave the country"),
        ({"exit": dt.date(2025, 9, 14)}, "exit_date", "after the entry date"),
        ({"entry": dt.date(2025, 9, 1), "exit": dt.date(2025, 9, 10)}, "exit_date", "begins"),
        ({"exit": dt.date(2025, 10, 19)}, "exit_date", "30 days after"),
        ({"city": " "}, "consulate_city", "embassy or consulate"),
    ],
)
def test_each_rule_names_its_field(registration, changes, field, words):
    errors = errors_of(lambda: submit(registration, **changes))
    assert list(errors) == [field]
    assert words in errors[field][0]
    assert not VisaLetterRequest.objects.exists()


def test_the_limits_themselves_are_accepted(registration):
    visa_request = submit(
        registration,
        entry=dt.date(2025, 8, 17),  # 30 days before the first day
        exit=dt.date(2025, 10, 18),  # 30 days after the last day
        passport_expiry=dt.date(2026, 4, 18),  # exactly six months after the exit
        passport_number=" 19fr 27384 ",
        passport_name="  Cecile   Marie HARLE ",
    )
    details = visa_request.passport()
    assert details.passport_number == "19FR27384"
    assert details.passport_name == "Cecile Marie HARLE"


def test_six_months_count_calendar_months():
    assert visas.add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert visas.add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert visas.add_months(dt.date(2025, 9, 20), 6) == dt.date(2026, 3, 20)


def test_every_problem_is_reported_at_once(registration):
    errors = errors_of(
        lambda: submit(registration, city="", passport_number="?", passport_name="", exit=None)
    )
    assert set(errors) == {"consulate_city", "passport_number", "passport_name", "exit_date"}


# --- who may ask -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Registration.Status.CANCELLED, Registration.Status.REJECTED])
def test_no_request_for_a_closed_registration(registration, status):
    Registration.objects.filter(pk=registration.pk).update(status=status)
    with pytest.raises(ValidationError, match="pending or confirmed"):
        submit(registration)


def test_one_open_request_per_registration(registration, organiser):
    first = submit(registration)
    with pytest.raises(ValidationError, match="already"):
        submit(registration)
    visas.visa_request_refuse(visa_request=first, actor=organiser, reason="Unknown delegate")
    second = submit(registration)  # after a refusal the delegate may ask again
    assert second.status == Status.REQUESTED
    assert VisaLetterRequest.objects.filter(registration=registration).count() == 2


# --- encryption at rest ------------------------------------------------------------------


def test_passport_data_is_encrypted_at_rest(registration):
    visa_request = submit(registration, passport_number="19FR27384")
    table = VisaLetterRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [visa_request.pk])  # noqa: S608
        row = " ".join(str(value) for value in cursor.fetchone())
    assert "19FR27384" not in row
    assert "HARLE" not in row
    assert "1968-05-17" not in row
    # … and the key opens it.
    key = settings.ATRIUM_PASSPORT_KEY.split(",")[0]
    raw = json.loads(Fernet(key.encode()).decrypt(visa_request.passport_data.encode()))
    assert raw["passport_number"] == "19FR27384"
    reloaded = VisaLetterRequest.objects.get(pk=visa_request.pk)
    assert reloaded.passport() == passport(passport_number="19FR27384")
    # The audit log never copies passport data.
    logged = json.dumps(list(AuditEntry.objects.values_list("data", flat=True)))
    assert "19FR27384" not in logged


def test_a_wrong_key_fails_clearly(registration):
    visa_request = submit(registration)
    with (
        override_settings(ATRIUM_PASSPORT_KEY=Fernet.generate_key().decode()),
        pytest.raises(ImproperlyConfigured, match="cannot be decrypted"),
    ):
        VisaLetterRequest.objects.get(pk=visa_request.pk).passport()


@pytest.mark.parametrize(("key", "words"), [("", "not set"), ("not-a-key", "not a Fernet key")])
def test_a_missing_or_malformed_key_fails_clearly(registration, key, words):
    with override_settings(ATRIUM_PASSPORT_KEY=key), pytest.raises(PassportKeyError, match=words):
        submit(registration)
    assert not VisaLetterRequest.objects.exists()


def test_keys_rotate(registration):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(ATRIUM_PASSPORT_KEY=old):
        visa_request = submit(registration)
    with override_settings(ATRIUM_PASSPORT_KEY=f"{new},{old}"):
        assert VisaLetterRequest.objects.get(pk=visa_request.pk).passport().passport_number
        call_command("visa_rekey", stdout=io.StringIO())
    with override_settings(ATRIUM_PASSPORT_KEY=new):
        assert VisaLetterRequest.objects.get(pk=visa_request.pk).passport() == passport()


def _settings_key(env: dict) -> str:
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.ATRIUM_PASSPORT_KEY)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "atrium.settings", "PATH": os.environ["PATH"]},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_debug_derives_a_development_key_from_secret_key():
    derived = _settings_key({"DEBUG": "1", "SECRET_KEY": "demo-secret"})
    Fernet(derived.encode())  # a valid key
    assert derived == _settings_key({"DEBUG": "1", "SECRET_KEY": "demo-secret"})
    assert derived != _settings_key({"DEBUG": "1", "SECRET_KEY": "other-secret"})
    assert _settings_key({"SECRET_KEY": "production-secret"}) == ""  # no key, no derivation


# --- review --------------------------------------------------------------------------------


def test_correction_round_trip(registration, organiser, django_capture_on_commit_callbacks):
    visa_request = submit(registration)
    with pytest.raises(ValidationError) as caught:
        visas.visa_request_ask_correction(visa_request=visa_request, actor=organiser, note=" ")
    assert "note" in caught.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        visas.visa_request_ask_correction(
            visa_request=visa_request, actor=organiser, note="Add your middle name."
        )
    visa_request.refresh_from_db()
    assert visa_request.status == Status.NEEDS_CORRECTION
    assert visa_request.decided_by == organiser
    assert mail.outbox[-1].to == ["cecile@example.org"]
    assert "Add your middle name." in mail.outbox[-1].body
    with pytest.raises(ValidationError):  # waiting for the delegate, not for an organiser
        visas.visa_request_approve(visa_request=visa_request, actor=organiser)

    visas.visa_request_correct(
        visa_request=visa_request,
        passport=passport(passport_name="Cecile Marie Jeanne HARLE"),
        entry_date=dt.date(2025, 9, 15),
        exit_date=dt.date(2025, 9, 20),
        consulate_city="Lyon",
        actor=registration.person.user,
    )
    visa_request.refresh_from_db()
    assert visa_request.status == Status.REQUESTED
    assert visa_request.passport().passport_name == "Cecile Marie Jeanne HARLE"
    entry = AuditEntry.objects.filter(action="visa.corrected").get()
    assert entry.data["changed"] == ["passport_name", "entry_date"]  # names, never values


def test_refuse_needs_a_reason_and_tells_the_delegate(
    registration, organiser, django_capture_on_commit_callbacks
):
    visa_request = submit(registration)
    with pytest.raises(ValidationError) as caught:
        visas.visa_request_refuse(visa_request=visa_request, actor=organiser, reason="")
    assert caught.value.message_dict == {"reason": ["Give the delegate a reason."]}
    with django_capture_on_commit_callbacks(execute=True):
        visas.visa_request_refuse(
            visa_request=visa_request, actor=organiser, reason="Registration not paid."
        )
    visa_request.refresh_from_db()
    assert (visa_request.status, visa_request.note) == (Status.REFUSED, "Registration not paid.")
    assert "Registration not paid." in mail.outbox[-1].body
    with pytest.raises(ValidationError):
        visas.visa_request_withdraw(visa_request=visa_request, actor=registration.person.user)


def test_mail_goes_out_in_the_delegates_language(
    registration, organiser, django_capture_on_commit_callbacks
):
    LetterheadFactory(conference=registration.conference)
    Registration.objects.filter(pk=registration.pk).update(language="zh-hans")
    registration.refresh_from_db()
    visa_request = submit(registration)
    with django_capture_on_commit_callbacks(execute=True):
        visas.visa_request_approve(visa_request=visa_request, actor=organiser)
    message = mail.outbox[-1]
    assert "BJ25-VL-0001" in message.body
    assert f"/c/{registration.conference.slug}/me/visa/" in message.body


def test_withdraw_keeps_an_issued_number(registration, organiser):
    LetterheadFactory(conference=registration.conference)
    visa_request = submit(registration)
    visas.visa_request_approve(visa_request=visa_request, actor=organiser)
    visas.visa_request_withdraw(visa_request=visa_request, actor=registration.person.user)
    visa_request.refresh_from_db()
    assert (visa_request.status, visa_request.letter_number) == (Status.WITHDRAWN, "BJ25-VL-0001")
    with pytest.raises(ValidationError, match="No letter"):
        visas.visa_letter_pdf(visa_request=visa_request, actor=organiser)
    # A new request gets the next number: the withdrawn one stays taken, no gap, no reuse.
    again = submit(registration)
    visas.visa_request_approve(visa_request=again, actor=organiser)
    again.refresh_from_db()
    assert again.letter_number == "BJ25-VL-0002"


@pytest.mark.parametrize("how", ["cancel", "reject"])
def test_cancelling_or_rejecting_the_registration_withdraws_the_request(
    registration, organiser, how
):
    from atrium.registration import services
    from tests.registration.factories_organiser import OrderFactory

    LetterheadFactory(conference=registration.conference)
    OrderFactory(registration=registration, reference="BJ25-CECILE", status="free")
    issued = submit(registration)
    visas.visa_request_approve(visa_request=issued, actor=organiser)
    if how == "cancel":
        services.registration_cancel(registration=registration, actor=registration.person.user)
    else:
        services.registration_reject(registration=registration, actor=organiser, reason="Full")
    issued.refresh_from_db()
    assert issued.status == Status.WITHDRAWN
    assert issued.letter_number == "BJ25-VL-0001"
    with pytest.raises(ValidationError, match="No letter"):
        visas.visa_letter_pdf(visa_request=issued, actor=organiser)
    assert AuditEntry.objects.filter(action="visa.withdrawn").count() == 1


# --- letter numbers ------------------------------------------------------------------------


def test_letter_numbers_are_sequential_without_gaps(conference, organiser):
    LetterheadFactory(conference=conference, letter_prefix="BJ25-VL")
    requests = [VisaLetterRequestFactory(registration__conference=conference) for _i in range(6)]
    visas.visa_request_refuse(visa_request=requests[1], actor=organiser, reason="No.")
    visas.visa_request_ask_correction(visa_request=requests[3], actor=organiser, note="Fix.")
    for visa_request in (requests[5], requests[0], requests[2], requests[4]):
        visas.visa_request_approve(visa_request=visa_request, actor=organiser)
    numbers = list(
        VisaLetterRequest.objects.filter(conference=conference, status=Status.APPROVED)
        .order_by("letter_sequence")
        .values_list("letter_number", flat=True)
    )
    assert numbers == ["BJ25-VL-0001", "BJ25-VL-0002", "BJ25-VL-0003", "BJ25-VL-0004"]
    assert VisaLetterRequest.objects.get(pk=requests[5].pk).letter_number == "BJ25-VL-0001"
    assert not VisaLetterRequest.objects.filter(pk__in=[requests[1].pk, requests[3].pk]).exclude(
        letter_number=""
    )
    # Each edition counts on its own.
    other = VisaLetterRequestFactory()
    LetterheadFactory(conference=other.conference, letter_prefix="NB24-VL")
    visas.visa_request_approve(visa_request=other, actor=organiser)
    assert VisaLetterRequest.objects.get(pk=other.pk).letter_number == "NB24-VL-0001"


def test_no_letter_without_a_letterhead(organiser):
    visa_request = VisaLetterRequestFactory()
    with pytest.raises(ValidationError, match="letterhead"):
        visas.visa_request_approve(visa_request=visa_request, actor=organiser)
    visa_request.refresh_from_db()
    assert (visa_request.status, visa_request.letter_number) == (Status.REQUESTED, "")


def test_approval_of_a_cancelled_registration_is_refused(organiser):
    visa_request = VisaLetterRequestFactory()
    LetterheadFactory(conference=visa_request.conference)
    Registration.objects.filter(pk=visa_request.registration_id).update(status="cancelled")
    with pytest.raises(ValidationError, match="no longer active"):
        visas.visa_request_approve(visa_request=visa_request, actor=organiser)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
def test_parallel_approvals_share_out_numbers_without_gaps():
    conference = ConferenceFactory()
    LetterheadFactory(conference=conference, letter_prefix="PAR-VL")
    organiser = UserFactory()
    requests = [VisaLetterRequestFactory(registration__conference=conference) for _i in range(12)]
    barrier = threading.Barrier(len(requests))
    errors = []

    def approve(visa_request):
        try:
            barrier.wait()
            visas.visa_request_approve(visa_request=visa_request, actor=organiser)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    sequences = sorted(
        VisaLetterRequest.objects.filter(conference=conference).values_list(
            "letter_sequence", flat=True
        )
    )
    assert sequences == list(range(1, 13))


# --- the letter ---------------------------------------------------------------------------


def _approved(registration, organiser, **letterhead):
    LetterheadFactory(conference=registration.conference, **letterhead)
    visa_request = submit(registration, city="Marseille")
    return visas.visa_request_approve(visa_request=visa_request, actor=organiser)


def test_the_letter_holds_names_number_and_the_host_in_chinese(registration, organiser):
    visa_request = _approved(registration, organiser)
    pdf = visas.visa_letter_pdf(visa_request=visa_request, actor=registration.person.user)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in (
        "Cecile Marie HARLE",  # the name as in the passport, not the profile's name
        "BJ25-VL-0001",
        "中关村科技园区管理委员会",
        "Zhongguancun Science Park Administrative Committee",
        "People's Republic of China in Marseille",
        "19FR27384",
        "France",
        "17 May 1968",
        "9 March 2030",
        "14 September 2025 to 20 September 2025",
        "World Conference 2025",
        "16 to 18 September 2025",
        "Wang Lei",
        "Secretary-General",
        "Director",
    ):
        assert expected in text, expected
    entry = AuditEntry.objects.get(action="visa.letter_downloaded")
    assert entry.actor == registration.person.user
    assert entry.data["letter_number"] == "BJ25-VL-0001"


def test_the_stamp_is_printed(registration, organiser, tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (200, 0, 0)).save(buffer, format="PNG")
    with override_settings(MEDIA_ROOT=tmp_path):
        visa_request = _approved(registration, organiser)
        letterhead = visa_request.conference.letterhead
        letterhead.stamp.save("stamp.png", ContentFile(buffer.getvalue()))
        with_stamp = visas.visa_letter_pdf(visa_request=visa_request, actor=organiser)
    page = PdfReader(io.BytesIO(with_stamp)).pages[0]
    assert len(page.images) == 1


def test_every_download_is_logged(registration, organiser):
    visa_request = _approved(registration, organiser)
    for actor in (registration.person.user, organiser, organiser):
        visas.visa_letter_pdf(visa_request=visa_request, actor=actor)
    entries = AuditEntry.objects.filter(action="visa.letter_downloaded").order_by("pk")
    assert [e.data["by"] for e in entries] == ["owner", "organiser", "organiser"]


def test_a_void_or_purged_letter_is_not_made(registration, organiser):
    visa_request = _approved(registration, organiser)
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")
    with pytest.raises(ValidationError, match="void"):
        visas.visa_letter_pdf(visa_request=visa_request, actor=organiser)
    Registration.objects.filter(pk=registration.pk).update(status="confirmed")
    VisaLetterRequest.objects.filter(pk=visa_request.pk).update(passport_data="")
    with pytest.raises(ValidationError, match="removed"):
        visas.visa_letter_pdf(visa_request=visa_request, actor=organiser)
    assert not AuditEntry.objects.filter(action="visa.letter_downloaded").exists()


def test_an_organisers_look_is_logged_the_owners_is_not(registration, organiser):
    visa_request = submit(registration)
    visas.visa_passport_reveal(visa_request=visa_request, actor=registration.person.user)
    assert not AuditEntry.objects.filter(action="visa.passport_viewed").exists()
    visas.visa_passport_reveal(visa_request=visa_request, actor=organiser)
    entry = AuditEntry.objects.get(action="visa.passport_viewed")
    assert entry.actor == organiser
    assert entry.conference == registration.conference


# --- the purge -----------------------------------------------------------------------------


def test_purge_clears_passport_data_and_keeps_the_rest(registration, organiser, clock):
    visa_request = _approved(registration, organiser)
    clock.move_to("2026-01-05 12:00:00")  # more than 90 days after the edition
    waiting = VisaLetterRequestFactory(registration__conference=registration.conference)
    recent = VisaLetterRequestFactory(
        registration__conference=ConferenceFactory(
            start_date=dt.date.today() - dt.timedelta(days=12),
            end_date=dt.date.today() - dt.timedelta(days=10),
        )
    )
    out = io.StringIO()
    call_command("visa_purge", "--days", "90", stdout=out)
    assert f"{registration.conference.slug}: removed the passport data of 2 request(s)" in (
        out.getvalue()
    )
    visa_request.refresh_from_db()
    assert visa_request.passport_data == "" and visa_request.passport() is None
    assert visa_request.purged_at is not None
    assert (visa_request.status, visa_request.letter_number) == (Status.APPROVED, "BJ25-VL-0001")
    assert (visa_request.entry_date, visa_request.consulate_city) == (
        dt.date(2025, 9, 14),
        "Marseille",
    )
    assert VisaLetterRequest.objects.get(pk=waiting.pk).passport_data == ""
    assert VisaLetterRequest.objects.get(pk=recent.pk).passport() is not None  # not yet due
    assert AuditEntry.objects.filter(action="visa.purged").count() == 2
    # Idempotent: a second run removes nothing and logs nothing.
    first_purged_at = visa_request.purged_at
    out = io.StringIO()
    call_command("visa_purge", "--days", "90", stdout=out)
    assert "Total: 0 request(s) cleared" in out.getvalue()
    visa_request.refresh_from_db()
    assert visa_request.purged_at == first_purged_at
    assert AuditEntry.objects.filter(action="visa.purged").count() == 2


def test_purge_dry_run_changes_nothing(registration, clock):
    visa_request = submit(registration)
    clock.move_to("2026-01-05 12:00:00")  # long after the edition
    before = VisaLetterRequest.objects.get(pk=visa_request.pk).passport_data
    out = io.StringIO()
    call_command(
        "visa_purge", "--dry-run", "--conference", registration.conference.slug, stdout=out
    )
    assert "would remove the passport data of 1 request(s)" in out.getvalue()
    assert "Total: 1 request(s) would be cleared" in out.getvalue()
    after = VisaLetterRequest.objects.get(pk=visa_request.pk)
    assert (after.passport_data, after.purged_at) == (before, None)
    assert not AuditEntry.objects.filter(action="visa.purged").exists()


def test_purge_defaults_to_the_retention_setting(registration, clock):
    submit(registration)
    clock.move_to("2026-01-05 12:00:00")  # long after the edition
    days_since_end = (dt.date.today() - END).days
    with override_settings(ATRIUM_PASSPORT_RETENTION_DAYS=days_since_end + 1):
        call_command("visa_purge", stdout=io.StringIO())
    assert VisaLetterRequest.objects.get().passport_data != ""
    with override_settings(ATRIUM_PASSPORT_RETENTION_DAYS=days_since_end):
        call_command("visa_purge", stdout=io.StringIO())
    assert VisaLetterRequest.objects.get().passport_data == ""


def test_purge_command_errors_are_clear():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no edition"):
        call_command("visa_purge", "--conference", "nowhere-1999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="negative"):
        call_command("visa_purge", "--days", "-1", stdout=io.StringIO())
