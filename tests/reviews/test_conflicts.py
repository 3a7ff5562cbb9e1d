"""Conflicts of interest: each reason with plain data, then gathered from the database."""

from __future__ import annotations

import pytest

from atrium.reviews import conflicts as rules
from atrium.reviews.conflicts import Party, SubmissionParties, find_conflicts, pair_reasons
from atrium.reviews.models import Bid, CoAuthor, DeclaredConflict
from atrium.reviews.selectors import call_conflicts, pair_conflict
from tests.factories import OrganisationFactory

from .helpers import make_call, make_person, make_reviewer, make_submission

SUBMITTER = Party(person_id=1, email="ana@park-a.es", organisation_id=10, country="ES")
COAUTHOR = Party(person_id=2, email="bo@uni-b.cn", organisation_id=20, country="CN")
ENTRY = SubmissionParties(id=100, submitter=SUBMITTER, coauthors=(COAUTHOR,))
PARENTS = {10: None, 11: 10, 12: 11, 20: None, 30: None}


def reasons(reviewer: Party, **kwargs) -> tuple[str, ...]:
    return pair_reasons(reviewer, ENTRY, parents=PARENTS, **kwargs)


def test_a_stranger_has_no_conflict():
    assert reasons(Party(person_id=9, email="x@other.org", organisation_id=30, country="FR")) == ()


def test_same_person():
    assert "same_person" in reasons(Party(person_id=1))


def test_coauthor():
    assert reasons(Party(person_id=2)) == ("coauthor",)


def test_same_organisation_as_the_submitter_or_a_coauthor():
    assert reasons(Party(person_id=9, organisation_id=10)) == ("same_organisation",)
    assert reasons(Party(person_id=9, organisation_id=20)) == ("same_organisation",)


def test_the_entry_organisation_counts():
    entry = SubmissionParties(id=1, submitter=Party(person_id=5), organisation_id=30)
    assert pair_reasons(Party(organisation_id=30), entry, parents=PARENTS) == ("same_organisation",)


@pytest.mark.parametrize("org", [11, 12])
def test_sub_organisation_at_any_depth(org):
    assert reasons(Party(person_id=9, organisation_id=org)) == ("related_organisation",)


def test_parent_organisation():
    entry = SubmissionParties(id=1, submitter=Party(person_id=5, organisation_id=12))
    assert pair_reasons(Party(organisation_id=10), entry, parents=PARENTS) == (
        "related_organisation",
    )


def test_same_email_domain_but_not_a_public_provider():
    assert reasons(Party(person_id=9, email="carl@PARK-A.es")) == ("email_domain",)
    public = SubmissionParties(id=1, submitter=Party(person_id=5, email="a@gmail.com"))
    assert pair_reasons(Party(email="b@gmail.com"), public, parents={}) == ()
    assert "qq.com" in rules.PUBLIC_MAIL_DOMAINS


def test_same_country_only_when_the_call_says_so():
    reviewer = Party(person_id=9, country="CN")
    assert reasons(reviewer) == ()
    assert reasons(reviewer, same_country=True) == ("same_country",)


def test_declared_and_bid():
    stranger = Party(person_id=9)
    assert reasons(stranger, declared=True) == ("declared",)
    assert reasons(stranger, bid_conflict=True) == ("bid",)


def test_several_reasons_are_all_given_and_labelled():
    found = find_conflicts(
        {7: Party(person_id=2, organisation_id=20, email="z@uni-b.cn")},
        [ENTRY],
        parents=PARENTS,
        declared=[(7, 100)],
    )
    conflict = found[(7, 100)]
    assert conflict.reasons == ("coauthor", "same_organisation", "email_domain", "declared")
    assert conflict.labels()[0] == "is a co-author"


def test_a_cycle_in_the_tree_does_not_loop():
    assert rules.organisation_family(1, {1: 2, 2: 1}) == {1, 2}


# --- gathered from the database -----------------------------------------------------------


@pytest.mark.django_db
def test_call_conflicts_finds_each_reason_from_the_database():
    call = make_call(same_country_conflict=True)
    park = OrganisationFactory(country="CN")
    sub_park = OrganisationFactory(parent=park)
    submitter = make_person(organisation=park, email="ana@zgc.cn", country="CN")
    submission = make_submission(call, person=submitter)
    coauthor_person = make_person(organisation=OrganisationFactory(), country="FR")
    CoAuthor.objects.create(
        submission=submission,
        email="co@x.org",
        person=coauthor_person,
        token_hash="h1",
        status=CoAuthor.Status.CONFIRMED,
    )
    cases = {
        "same_person": make_reviewer(call, person=submitter),
        "coauthor": make_reviewer(call, person=coauthor_person),
        "related_organisation": make_reviewer(
            call, person=make_person(organisation=sub_park, country="ES")
        ),
        "email_domain": make_reviewer(
            call,
            person=make_person(email="bo@zgc.cn", organisation=OrganisationFactory(), country="ES"),
        ),
        "same_country": make_reviewer(
            call, person=make_person(organisation=OrganisationFactory(), country="CN")
        ),
        "declared": make_reviewer(call, country="ES"),
        "bid": make_reviewer(call, country="ES"),
    }
    DeclaredConflict.objects.create(reviewer=cases["declared"], submission=submission)
    Bid.objects.create(reviewer=cases["bid"], submission=submission, level=Bid.Level.CONFLICT)
    free = make_reviewer(call, country="ES")
    found = call_conflicts(call)
    for reason, reviewer in cases.items():
        assert reason in found[(reviewer.pk, submission.pk)].reasons, reason
    assert (free.pk, submission.pk) not in found
    assert pair_conflict(cases["declared"], submission) == ("declared",)
    assert pair_conflict(free, submission) == ()
