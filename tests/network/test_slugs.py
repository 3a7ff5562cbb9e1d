import pytest

from atrium.network.slugs import slug_base, unique_person_slug, unique_slug
from tests.factories import PersonFactory


def test_chinese_only_names_go_by_pinyin():
    assert slug_base("中关村") == "zhong-guan-cun"
    assert slug_base("Ma Jun") == "ma-jun"
    assert slug_base("!!!", fallback="person") == "person"


def test_unique_slug_counts_up_and_remembers_what_it_handed_out():
    taken = {"ma-jun"}
    assert unique_slug("Ma Jun", taken) == "ma-jun-2"
    assert unique_slug("Ma Jun", taken) == "ma-jun-3"
    assert {"ma-jun-2", "ma-jun-3"} <= taken


@pytest.mark.django_db
def test_unique_person_slug_looks_in_the_database():
    PersonFactory(name="Ma Jun", slug="ma-jun")
    PersonFactory(name="Ma Jun", slug="ma-jun-2")
    assert unique_person_slug("Ma Jun") == "ma-jun-3"
    assert unique_person_slug("马骏") == "ma-jun-3"
    assert unique_person_slug("Cecile Harle") == "cecile-harle"
