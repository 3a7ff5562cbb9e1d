"""The member directory: filters, Chinese-aware search, organisation pages."""

import pytest

from atrium.network.models import Organisation
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    SectorFactory,
    SessionFactory,
    SessionRoleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    health = SectorFactory(name="Life sciences", slug="life-sciences", name_zh="生命科学")
    zgc = OrganisationFactory(
        name="Zhongguancun Science Park",
        name_zh="中关村科技园区",
        slug="zhongguancun",
        short_name="ZGC",
        country="CN",
        city="Beijing",
        member_since=1995,
    )
    zgc.sectors.add(health)
    changping = OrganisationFactory(
        name="Zhongguancun Changping Park",
        name_zh="中关村昌平园",
        slug="changping",
        country="CN",
        parent=zgc,
        member_since=None,
    )
    sophia = OrganisationFactory(
        name="Sophia Antipolis", slug="sophia-antipolis", country="FR", member_since=1990
    )
    company = OrganisationFactory(
        name="Acme Robotics",
        slug="acme",
        kind=Organisation.Kind.COMPANY,
        country="FR",
        member_since=None,
    )
    ma = PersonFactory(name="Ma Jun", name_zh="马骏", organisation=zgc, directory_opt_in=True)
    hidden = PersonFactory(name="Private Person", organisation=zgc, directory_opt_in=False)
    return locals()


def names(response):
    return [o.name for o in response.context["page"].object_list]


def test_lists_everyone_alphabetically(client, network):
    response = client.get("/directory/")
    assert response.status_code == 200
    assert names(response) == [
        "Acme Robotics",
        "Sophia Antipolis",
        "Zhongguancun Changping Park",
        "Zhongguancun Science Park",
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "FR"}, ["Acme Robotics", "Sophia Antipolis"]),
        ({"kind": "company"}, ["Acme Robotics"]),
        ({"sector": "life-sciences"}, ["Zhongguancun Science Park"]),
        ({"member": "yes"}, ["Sophia Antipolis", "Zhongguancun Science Park"]),
        ({"member": "no", "country": "CN"}, ["Zhongguancun Changping Park"]),
    ],
)
def test_filters(client, network, params, expected):
    assert names(client.get("/directory/", params)) == expected


@pytest.mark.parametrize(
    "query", ["zhongguancun science", "中关村科技", "中關村科技", "ZGC science"]
)
def test_search_any_script(client, network, query):
    OrganisationFactory(name="ZGC Science City", slug="zgc-city")  # noise for "ZGC"
    found = names(client.get("/directory/", {"q": query}))
    assert "Zhongguancun Science Park" in found
    assert "Sophia Antipolis" not in found


@pytest.mark.parametrize("query", ["ma jun", "majun", "马骏", "馬駿"])
def test_search_finds_people_who_opted_in(client, network, query):
    response = client.get("/directory/", {"q": query})
    assert [p.name for p in response.context["people"]] == ["Ma Jun"]


def test_search_never_shows_people_who_did_not_opt_in(client, network):
    response = client.get("/directory/", {"q": "private person"})
    assert response.context["people"] == []
    assert "Private Person" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"country": "XX"},
        {"kind": "spaceship"},
        {"sector": "nope"},
        {"member": "maybe"},
        {"page": "abc"},
    ],
)
def test_malformed_filters_are_ignored_with_a_notice(client, network, params):
    response = client.get("/directory/", params)
    assert response.status_code == 200
    assert "had an unknown value" in response.content.decode()
    assert len(names(response)) == 4


def test_page_past_the_end_shows_the_last_page(client, network, settings):
    settings.ATRIUM_PAGE_SIZE = 2
    response = client.get("/directory/", {"page": 99})
    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert "There is no page 99" in response.content.decode()


def test_htmx_search_returns_results_only(client, network):
    response = client.get("/directory/", {"q": "sophia"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "Sophia Antipolis" in body


def test_organisation_page(client, network):
    session = SessionFactory(title="Circular economy plenary")
    SessionRoleFactory(session=session, person=network["ma"])
    response = client.get("/directory/zhongguancun/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Zhongguancun Changping Park" in body  # sub-organisation
    assert "Ma Jun" in body  # opted in
    assert "Private Person" not in body  # did not opt in
    assert "Circular economy plenary" in body  # speaks at
    assert "Member since 1995" in body
    assert "ma-jun@" not in body and "@example.org" not in body  # no e-mail addresses


def test_sub_organisation_links_to_its_parent(client, network):
    body = client.get("/directory/changping/").content.decode()
    assert 'href="/directory/zhongguancun/"' in body


def test_unknown_organisation_is_404(client, network):
    response = client.get("/directory/no-such-park/")
    assert response.status_code == 404
    assert "no-such-park" in response.content.decode()


def test_chinese_directory(client, network):
    body = client.get("/directory/zhongguancun/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "中关村科技园区" in body
    assert "生命科学" in body
    assert "马骏" in body


@pytest.mark.django_db
def test_the_contact_email_rule_is_the_same_in_python_and_in_sql():
    """``Person.contact_email`` and ``Person.contact_email_expression`` agree."""
    from atrium.network.models import Person
    from tests.factories import PersonFactory, UserFactory

    own = PersonFactory(email="own@example.org", user=UserFactory(email="account@example.org"))
    account_only = PersonFactory(email="", user=UserFactory(email="acc2@example.org"))
    nothing = PersonFactory(email="", user=None)
    rows = dict(
        Person.objects.filter(pk__in=[own.pk, account_only.pk, nothing.pk])
        .annotate(mail=Person.contact_email_expression())
        .values_list("pk", "mail")
    )
    for person in (own, account_only, nothing):
        assert rows[person.pk] == Person.objects.get(pk=person.pk).contact_email
    assert [rows[own.pk], rows[account_only.pk], rows[nothing.pk]] == [
        "own@example.org",
        "acc2@example.org",
        "",
    ]
