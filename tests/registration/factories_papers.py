"""Factories for receipts and certificates: the edition's letterhead and check-ins."""

from __future__ import annotations

import uuid

import factory

from atrium.registration.models import CheckIn, Letterhead
from tests.factories import ConferenceFactory, RegistrationFactory


class LetterheadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letterhead
        django_get_or_create = ("conference",)

    conference = factory.SubFactory(ConferenceFactory)
    issuer_name = "Zhongguancun Science Park Administrative Committee"
    issuer_name_zh = "中关村科技园区管理委员会"
    address = "No. 5 Guanghua Road, Beijing"
    address_zh = "北京市朝阳区光华路5号"
    email = "iasp2025@example.org"
    phone = "+86 10 0000 0000"
    website = "https://iasp2025.example.org"
    tax_number = "91110000000000000X"
    signatory_name = "Organising Committee Secretariat"
    signatory_title = "42nd IASP World Conference"
    receipt_prefix = "BJ25-R"
    letter_prefix = "BJ25-VL"


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    registration = factory.SubFactory(RegistrationFactory)
    conference = factory.SelfAttribute("registration.conference")
    client_id = factory.LazyFunction(uuid.uuid4)
