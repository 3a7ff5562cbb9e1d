import pytest

from atrium.core.search import build_search_key, fold, query_terms, search
from atrium.network.models import Organisation, Person
from tests.factories import OrganisationFactory, PersonFactory


def test_key_holds_latin_chinese_and_pinyin():
    key = build_search_key("Ma Jun", "马骏")
    assert "ma jun" in key
    assert "majun" in key
    assert "马骏" in key


def test_traditional_names_are_stored_simplified():
    assert "中关村" in build_search_key("中關村科技園區")


def test_fold_removes_accents_and_case():
    assert fold("  Cécile   HARLE ") == "cecile harle"


def test_chinese_query_terms_carry_their_pinyin():
    assert query_terms("中關村") == [["中关村", "zhongguancun"]]


@pytest.fixture
def directory(db):
    zgc = OrganisationFactory(name="Zhongguancun Science Park", name_zh="中关村科技园区")
    other = OrganisationFactory(name="Málaga TechPark")
    ma = PersonFactory(name="Ma Jun", name_zh="马骏")
    mark = PersonFactory(name="Mark Jungle")
    return {"zgc": zgc, "other": other, "ma": ma, "mark": mark}


@pytest.mark.parametrize("query", ["zhongguancun", "中关村", "中關村", "ZHONGGUANCUN science"])
def test_organisation_found_by_any_script(directory, query):
    found = list(search(Organisation.objects.all(), query))
    assert found == [directory["zgc"]]


@pytest.mark.parametrize("query", ["ma jun", "majun", "马骏", "馬駿", "Ma  Jun"])
def test_person_found_by_pinyin_or_characters(directory, query):
    found = list(search(Person.objects.all(), query).order_by("search_rank", "name"))
    assert found[0] == directory["ma"]
    assert directory["mark"] not in found[:1]


def test_chinese_query_finds_latin_only_row(db):
    latin_only = OrganisationFactory(name="Zhongguancun Development Group")
    assert list(search(Organisation.objects.all(), "中关村")) == [latin_only]


def test_whole_phrase_ranks_first(db):
    scattered = PersonFactory(name="Jun Ma")
    exact = PersonFactory(name="Ma Jun")
    ranked = list(search(Person.objects.all(), "ma jun").order_by("search_rank", "name"))
    assert ranked == [exact, scattered]


def test_empty_query_changes_nothing(directory):
    everything = Organisation.objects.all()
    assert search(everything, "   ").count() == everything.count() >= 2


def test_key_follows_edits(db):
    org = OrganisationFactory(name="Old Name")
    org.name_zh = "深圳湾科技生态园"
    org.save(update_fields=["name_zh"])
    org.refresh_from_db()
    assert "shenzhen" in org.search_key


def test_sort_key_orders_chinese_by_pinyin():
    from atrium.core.search import sort_key

    names = ["肯尼亚", "Austria", "中国", "巴西"]
    assert sorted(names, key=sort_key) == ["Austria", "巴西", "肯尼亚", "中国"]
