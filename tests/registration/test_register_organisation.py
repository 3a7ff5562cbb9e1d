"""The register page: organisation search as you type, "add my organisation", countries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from atrium.network.models import Organisation
from atrium.registration import services
from atrium.registration.models import Registration
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing-2025")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.fixture
def browser(client):
    user = UserFactory(email="cecile@example.org")
    PersonFactory(user=user, name="Cecile Harle", email=user.email)
    client.force_login(user)
    return client


@pytest.fixture
def zgc():
    organisation = OrganisationFactory(
        name="Zhongguancun Science Park", name_zh="中关村科技园区", city="Beijing", country="CN"
    )
    organisation.refresh_search_key()
    organisation.save()
    return organisation


@pytest.fixture
def others():
    made = []
    for name in ("Sophia Antipolis", "Ostim Technopark", "Konza Technopolis"):
        organisation = OrganisationFactory(name=name)
        organisation.refresh_search_key()
        organisation.save()
        made.append(organisation)
    return made


def _options(client, conference, q, language="en", **extra):
    url = reverse("registration:organisation-options", args=[conference.slug])
    response = client.get(
        url, {"organisation_q": q, **extra}, HTTP_ACCEPT_LANGUAGE=language, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("query", ["zhongguancun", "zhong guan cun", "中关村", "中關村", "科技园"])
def test_search_finds_the_park_in_pinyin_simplified_and_traditional(
    browser, conference, zgc, others, query
):
    html = _options(browser, conference, query)
    assert f'value="{zgc.pk}"' in html
    for other in others:
        assert f'value="{other.pk}"' not in html


def test_matches_show_chinese_names_on_chinese_pages(browser, conference, zgc):
    html = _options(browser, conference, "zhongguancun", language="zh-hans")
    name = re.search(r'class="org-option__name">([^<]+)<', html).group(1)
    assert name == "中关村科技园区"
    html = _options(browser, conference, "zhongguancun", language="en")
    assert re.search(r'class="org-option__name">([^<]+)<', html).group(1) == zgc.name


def test_the_register_page_no_longer_lists_every_organisation(browser, conference, zgc, others):
    html = browser.get(reverse("registration:register", args=[conference.slug])).content.decode()
    assert 'name="organisation_q"' in html and 'name="organisation_name"' in html
    assert "hx-get=" in html
    for organisation in (zgc, *others):
        assert f'value="{organisation.pk}"' not in html


def test_find_without_javascript_returns_the_form_with_matches_and_saves_nothing(
    browser, conference, zgc
):
    rtype = RegistrationTypeFactory(conference=conference)
    url = reverse("registration:register", args=[conference.slug])
    response = browser.post(
        url,
        {
            "type": rtype.pk,
            "currency": "USD",
            "name": "Cecile Harle",
            "organisation_q": "中关村",
            "find_organisation": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{zgc.pk}"' in html
    assert 'value="中关村"' in html
    assert "field__errors" not in html
    assert not Registration.objects.exists()


def test_registering_with_a_chosen_organisation(browser, conference, zgc):
    rtype = RegistrationTypeFactory(conference=conference)
    response = browser.post(
        reverse("registration:register", args=[conference.slug]),
        {"type": rtype.pk, "currency": "USD", "name": "Cecile Harle", "organisation": zgc.pk},
    )
    assert response.status_code == 302
    assert Registration.objects.get().person.organisation == zgc


def test_an_unlisted_organisation_is_added_for_the_organisers(browser, conference):
    rtype = RegistrationTypeFactory(conference=conference)
    response = browser.post(
        reverse("registration:register", args=[conference.slug]),
        {
            "type": rtype.pk,
            "currency": "USD",
            "name": "Cecile Harle",
            "country": "FR",
            "organisation": "",
            "organisation_name": "Technopole de Brest",
        },
    )
    assert response.status_code == 302
    organisation = Registration.objects.get().person.organisation
    assert organisation.name == "Technopole de Brest"
    assert organisation.added_by_delegate
    assert organisation.kind == Organisation.Kind.OTHER
    assert not organisation.is_member
    assert organisation.country == "FR"
    assert "technopole" in organisation.search_key


def test_a_refused_registration_adds_no_organisation(conference):
    rtype = RegistrationTypeFactory(conference=conference, is_active=False)
    with pytest.raises(Exception):  # noqa: B017 - the service's refusal, whatever its class
        services.registration_submit(
            conference=conference,
            person=PersonFactory(),
            rtype=rtype,
            profile={"name": "X", "organisation": None, "organisation_name": "Nowhere Park"},
        )
    assert not Organisation.objects.filter(name="Nowhere Park").exists()


def test_a_listed_name_typed_again_gives_the_listed_organisation(conference, zgc):
    rtype = RegistrationTypeFactory(conference=conference)
    person = PersonFactory()
    before = Organisation.objects.count()
    registration = services.registration_submit(
        conference=conference,
        person=person,
        rtype=rtype,
        profile={"organisation": None, "organisation_name": "中关村科技园区"},
    )
    assert registration.person.organisation == zgc
    assert Organisation.objects.count() == before


def test_countries_on_the_chinese_register_page_sort_by_pinyin(browser, conference):
    html = browser.get(
        reverse("registration:register", args=[conference.slug]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    select = re.search(r'<select name="country".*?</select>', html, re.S).group(0)
    names = re.findall(r'<option value="[A-Z]{2}"[^>]*>([^<]+)</option>', select)
    assert names.index("阿尔巴尼亚") < names.index("阿富汗") < names.index("奥兰群岛")
    assert names.index("中国") > names.index("法国")  # zhong after fa
