"""Fapiao (发票): the taxpayer number's check character, the delegate's request on /me/,
the organisers' list, export, issue and PDF, and who may see them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from atrium.core.models import AuditEntry
from atrium.events.models import ConferenceRole
from atrium.registration import fapiao, services
from atrium.registration.models import FapiaoRequest
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory


def body(response) -> bytes:
    """A response's bytes, streamed (XLSX files are) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


pytestmark = pytest.mark.django_db

# A code worked by hand (GB 32100-2015): 9 1 3 5 0 1 0 0 M 0 0 0 1 0 0 Y 4 have the values
# 9 1 3 5 0 1 0 0 21 0 0 0 1 0 0 30 4; times the weights 1 3 9 27 19 26 16 17 20 29 25 13 8
# 24 10 30 28 they make 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28;
# 31 - 28 = 3: the check character is "3".
VALID = "91350100M000100Y43"
# 9 1 1 1 0 1 0 8 M A 0 1 A 2 B 3 C: 9+3+9+27+0+26+0+136+420+290+0+13+80+48+110+90+336 = 1597;
# 1597 mod 31 = 16; 31 - 16 = 15: "F".
VALID_WITH_LETTERS = "91110108MA01A2B3CF"


def test_weights_are_powers_of_three_mod_31():
    assert fapiao.USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(fapiao.USCC_CHARACTERS) == 31
    assert not set("IOSVZ") & set(fapiao.USCC_CHARACTERS)


@pytest.mark.parametrize("code", [VALID, VALID_WITH_LETTERS, " 9135 0100 m000 100y43 "])
def test_valid_codes_pass_cleaned(code):
    assert fapiao.uscc_clean(code) in {VALID, VALID_WITH_LETTERS}


def test_check_character_values_0_and_30():
    # Sum ≡ 0 (mod 31) gives 31 - 0 = 31, written "0"; sum ≡ 1 gives 30, written "Y".
    assert fapiao.uscc_check_character("0" * 17) == "0"
    assert fapiao.uscc_check_character("1" + "0" * 16) == "Y"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "91350100M000100Y44",
            "The taxpayer number's last character (its check character) does not match the "
            "others: check each character against the business licence.",
        ),
        ("91350100M000100Y4", "The taxpayer number has 18 characters; this one has 17."),
        (
            "91350100M000100I43",
            "The taxpayer number cannot contain I (only digits and the capital letters A–Y "
            "without I, O, S, V and Z).",
        ),
        ("", "Enter the taxpayer number (unified social credit code)."),
    ],
)
def test_wrong_codes_are_refused_with_a_clear_message(code, message):
    with pytest.raises(ValidationError) as refused:
        fapiao.uscc_clean(code)
    assert refused.value.message_dict == {"taxpayer_number": [message]}


# --- set-up ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing-2025")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.fixture
def organiser(conference):
    return ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.ORGANISER).user


@pytest.fixture
def delegate_user():
    return UserFactory(email="wang@example.org")


@pytest.fixture
def registration(conference, delegate_user):
    person = PersonFactory(user=delegate_user, email=delegate_user.email, name="Wang Fang")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.registration_submit(
            conference=conference,
            person=person,
            rtype=RegistrationTypeFactory(conference=conference),
            currency="CNY",
        )


def pay(registration):
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.order_mark_paid(order=registration.order, actor=None)


ORDINARY = {"kind": "ordinary", "title": "北京某某科技有限公司", "taxpayer_number": VALID}
SPECIAL = {
    **ORDINARY,
    "kind": "special",
    "address": "北京市海淀区中关村大街1号",
    "telephone": "010-12345678",
    "bank": "中国银行北京中关村支行",
    "account": "3401 0000 0000 0000",
}


def request_fapiao(registration, **values):
    return fapiao.fapiao_request_save(registration=registration, actor=None, **values)


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# --- the delegate's request --------------------------------------------------------------


def test_request_an_ordinary_fapiao_and_change_it_before_issue(registration):
    saved = request_fapiao(registration, **{**ORDINARY, "taxpayer_number": "9135 0100 m000 100y43"})
    assert (saved.kind, saved.taxpayer_number, saved.status) == ("ordinary", VALID, "requested")
    request_fapiao(registration, **{**ORDINARY, "title": "北京某某科技有限公司 (总部)"})
    assert FapiaoRequest.objects.get().title == "北京某某科技有限公司 (总部)"
    actions = list(
        AuditEntry.objects.filter(action__startswith="fapiao.")
        .order_by("id")
        .values_list("action", "data")
    )
    assert [a for a, _d in actions] == ["fapiao.requested", "fapiao.changed"]
    assert actions[1][1]["changed"] == ["title"]


def test_special_fapiao_needs_address_telephone_bank_and_account(registration):
    with pytest.raises(ValidationError) as refused:
        request_fapiao(registration, **{**ORDINARY, "kind": "special"})
    assert set(refused.value.message_dict) == {"address", "telephone", "bank", "account"}
    assert refused.value.message_dict["bank"] == ["A special VAT fapiao needs the bank."]
    assert not FapiaoRequest.objects.exists()
    assert request_fapiao(registration, **SPECIAL).kind == "special"


def test_wrong_check_character_saves_nothing(registration):
    with pytest.raises(ValidationError) as refused:
        request_fapiao(registration, **{**ORDINARY, "taxpayer_number": "91350100M000100Y44"})
    assert "check character" in refused.value.message_dict["taxpayer_number"][0]
    assert not FapiaoRequest.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="fapiao.").exists()


def test_free_registration_has_nothing_to_invoice(conference):
    with TestCase.captureOnCommitCallbacks(execute=True):
        free = services.registration_submit(
            conference=conference,
            person=PersonFactory(),
            rtype=RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0),
        )
    with pytest.raises(ValidationError) as refused:
        request_fapiao(free, **ORDINARY)
    assert refused.value.messages == ["A free registration has nothing to invoice."]


def test_database_refuses_a_special_fapiao_without_bank_details(registration):
    saved = FapiaoRequest.objects.create(
        conference=registration.conference, registration=registration, **ORDINARY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        FapiaoRequest.objects.filter(pk=saved.pk).update(kind="special")


def test_me_links_to_the_request_and_the_page_saves_it(client, delegate_user, registration):
    client.force_login(delegate_user)
    me = client.get(reverse("registration:me")).content.decode()
    url = reverse("registration:my-fapiao", args=[registration.conference.slug])
    assert url in me and "Ask for a fapiao" in me
    response = client.post(url, {**SPECIAL, "taxpayer_number": "91350100M000100Y44"})
    assert response.status_code == 400
    assert "check character" in response.context["form"].errors["taxpayer_number"][0]
    assert not FapiaoRequest.objects.exists()
    response = client.post(url, SPECIAL)
    assert response.status_code == 302 and response["Location"] == reverse("registration:me")
    saved = FapiaoRequest.objects.get()
    assert saved.registration == registration and saved.account == "3401 0000 0000 0000"
    me = client.get(reverse("registration:me")).content.decode()
    assert "Requested" in me


def test_another_persons_request_page_is_not_reachable(client, registration):
    client.force_login(UserFactory())
    url = reverse("registration:my-fapiao", args=[registration.conference.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, ORDINARY).status_code == 404
    assert not FapiaoRequest.objects.exists()


def test_issued_fapiao_cannot_be_changed_by_the_delegate(registration, organiser):
    pay(registration)
    saved = request_fapiao(registration, **ORDINARY)
    fapiao.fapiao_mark_issued(
        fapiao=saved, actor=organiser, number="25117000000012345678", issued_on=timezone.localdate()
    )
    with pytest.raises(ValidationError):
        request_fapiao(registration, **{**ORDINARY, "title": "Other"})


# --- the organisers ----------------------------------------------------------------------


def test_list_filters_and_export(client, organiser, conference, registration):
    pay(registration)
    request_fapiao(registration, **SPECIAL)
    with TestCase.captureOnCommitCallbacks(execute=True):
        other = services.registration_submit(
            conference=conference,
            person=PersonFactory(name="Li Lei"),
            rtype=RegistrationTypeFactory(conference=conference),
            currency="CNY",
        )
    request_fapiao(
        other, **{**ORDINARY, "title": "上海某某有限公司", "taxpayer_number": VALID_WITH_LETTERS}
    )
    client.force_login(organiser)
    url = reverse("organiser:fapiao-list", args=[conference.slug])
    page = client.get(url).content.decode()
    assert "北京某某科技有限公司" in page and "上海某某有限公司" in page and "¥5,800.00 CNY" in page
    page = client.get(url, {"kind": "special"}).content.decode()
    assert "北京某某科技有限公司" in page and "上海某某有限公司" not in page
    page = client.get(url, {"q": "上海"}).content.decode()
    assert "上海某某有限公司" in page and "北京某某科技有限公司" not in page

    response = client.get(reverse("organiser:fapiao-export", args=[conference.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    rows = list(load_workbook(io.BytesIO(body(response))).active.iter_rows(values_only=True))
    assert rows[0][:6] == (
        "Order reference",
        "Name",
        "Name in Chinese",
        "Kind of fapiao",
        "Invoice title (抬头)",
        "Taxpayer number (统一社会信用代码)",
    )
    by_title = {row[4]: row for row in rows[1:]}
    assert by_title["北京某某科技有限公司"][5] == VALID
    assert by_title["北京某某科技有限公司"][9] == "3401 0000 0000 0000"
    assert Decimal(str(by_title["上海某某有限公司"][10])) == Decimal("5800")


def test_mark_issued_with_a_pdf_then_download_it_logged(client, organiser, registration, settings):
    pay(registration)
    saved = request_fapiao(registration, **ORDINARY)
    client.force_login(organiser)
    url = reverse("organiser:fapiao", args=[registration.conference.slug, saved.pk])
    pdf = SimpleUploadedFile("f.pdf", PDF, content_type="application/pdf")
    day = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(url, {"number": "2511 7000", "issued_on": day.isoformat(), "pdf": pdf})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.status, saved.number, saved.issued_on, saved.issued_by) == (
        "issued",
        "25117000",
        day,
        organiser,
    )
    assert saved.pdf.name.startswith("private/fapiao/") and "f.pdf" not in saved.pdf.name
    file_url = reverse("organiser:fapiao-file", args=[registration.conference.slug, saved.pk])
    response = client.get(file_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert list(
        AuditEntry.objects.filter(action__startswith="fapiao.")
        .order_by("id")
        .values_list("action", "actor")
    ) == [
        ("fapiao.requested", None),
        ("fapiao.issued", organiser.pk),
        ("fapiao.downloaded", organiser.pk),
    ]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"GIF89a not a pdf", "Upload the fapiao as a PDF file (this file is not one)."),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "the limit is 5.0"),
    ],
)
def test_pdf_checked_by_content_and_size(client, organiser, registration, upload, message):
    pay(registration)
    saved = request_fapiao(registration, **ORDINARY)
    client.force_login(organiser)
    url = reverse("organiser:fapiao", args=[registration.conference.slug, saved.pk])
    pdf = SimpleUploadedFile("fapiao.pdf", upload, content_type="application/pdf")
    response = client.post(
        url, {"number": "1", "issued_on": timezone.localdate().isoformat(), "pdf": pdf}
    )
    assert response.status_code == 400
    assert message in response.context["form"].errors["pdf"][0]
    saved.refresh_from_db()
    assert saved.status == "requested" and not saved.pdf


def test_not_issued_before_payment(registration, organiser):
    saved = request_fapiao(registration, **ORDINARY)
    with pytest.raises(ValidationError) as refused:
        fapiao.fapiao_mark_issued(
            fapiao=saved, actor=organiser, number="1", issued_on=timezone.localdate()
        )
    assert refused.value.messages == ["The fapiao is issued once the order is paid."]


@pytest.mark.parametrize("who", ["delegate", "other_organiser", "anonymous"])
def test_list_export_page_and_file_refused_to_others(client, registration, organiser, who):
    pay(registration)
    saved = request_fapiao(registration, **ORDINARY)
    fapiao.fapiao_mark_issued(
        fapiao=saved,
        actor=organiser,
        number="1",
        issued_on=timezone.localdate(),
        pdf=SimpleUploadedFile("f.pdf", PDF),
    )
    slug = registration.conference.slug
    if who == "delegate":
        client.force_login(registration.person.user)
    elif who == "other_organiser":
        client.force_login(
            ConferenceRoleFactory(
                conference=ConferenceFactory(), role=ConferenceRole.Role.ORGANISER
            ).user
        )
    urls = {
        reverse("organiser:fapiao-list", args=[slug]): (302, 403),
        reverse("organiser:fapiao-export", args=[slug]): (302, 403),
        reverse("organiser:fapiao", args=[slug, saved.pk]): (302, 404),
        reverse("organiser:fapiao-file", args=[slug, saved.pk]): (302, 404),
    }
    for url, (anonymous, logged_in) in urls.items():
        expected = anonymous if who == "anonymous" else logged_in
        assert client.get(url).status_code == expected, (who, url)
    response = client.post(
        reverse("organiser:fapiao", args=[slug, saved.pk]),
        {"number": "2", "issued_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == (302 if who == "anonymous" else 404)
    saved.refresh_from_db()
    assert saved.number == "1"
    assert not AuditEntry.objects.filter(action="fapiao.downloaded").exists()


def test_another_editions_fapiao_is_not_reachable_through_this_one(client, registration):
    saved = request_fapiao(registration, **ORDINARY)
    other = ConferenceFactory()
    user = ConferenceRoleFactory(conference=other, role=ConferenceRole.Role.ORGANISER).user
    client.force_login(user)
    assert client.get(reverse("organiser:fapiao", args=[other.slug, saved.pk])).status_code == 404
    page = client.get(reverse("organiser:fapiao-list", args=[other.slug])).content.decode()
    assert "北京某某科技有限公司" not in page


def test_registration_page_links_to_its_fapiao(client, organiser, registration):
    saved = request_fapiao(registration, **ORDINARY)
    client.force_login(organiser)
    page = client.get(
        reverse(
            "organiser:registration",
            args=[registration.conference.slug, registration.order.reference],
        )
    ).content.decode()
    assert reverse("organiser:fapiao", args=[registration.conference.slug, saved.pk]) in page
    assert "Fapiao requested" in page  # the history names the audit entry
