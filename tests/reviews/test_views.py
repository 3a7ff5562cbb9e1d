"""Pages of calls with review: the permission matrix, forms, bad input, exports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atrium.core.models import AuditEntry
from atrium.reviews.models import Assignment, Review, Submission
from tests.factories import ConferenceFactory

from .helpers import make_call, make_organiser, make_person

pytestmark = pytest.mark.django_db


def urls(world):
    call, sub = world["call"], world["submission"]
    slug = call.conference.slug
    return {
        "submission": reverse("reviews:submission", args=[slug, call.slug, sub.pk]),
        "review": reverse("reviews:review", args=[slug, call.slug, sub.pk]),
        "organiser": reverse("reviews:organiser-submissions", args=[slug, call.slug]),
        "assignment": reverse("reviews:organiser-assignment", args=[slug, call.slug]),
    }


# who -> expected status for (submission page, review page, organiser list)
MATRIX = {
    "submitter": (200, 404, 403),
    "coauthor": (200, 404, 403),
    "assigned": (200, 200, 403),
    "unassigned": (404, 404, 403),
    "conflicted": (404, 404, 403),
    "organiser": (200, 404, 200),
    "other_organiser": (404, 404, 403),
    "anonymous": (302, 302, 302),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix_in_pages(client, world, who):
    user = world["users"][who]
    if user is not None:
        client.force_login(user)
    u = urls(world)
    got = tuple(client.get(u[name]).status_code for name in ("submission", "review", "organiser"))
    assert got == MATRIX[who]


def test_conflicted_reviewer_never_sees_scores_or_discussion(client, world):
    from atrium.reviews import services

    services.review_save(
        reviewer=world["reviewers"]["assigned"],
        submission=world["submission"],
        scores={"relevance": 5, "clarity": 4, "fit": 3},
        text_for_committee="SECRET-DISCUSSION",
        submit=True,
        actor=None,
    )
    client.force_login(world["users"]["conflicted"])
    slug, cs = world["call"].conference.slug, world["call"].slug
    home = client.get(reverse("reviews:review-home", args=[slug, cs]))
    assert home.status_code == 200
    assert world["submission"].title not in home.content.decode()
    page = client.get(reverse("reviews:submission", args=[slug, cs, world["submission"].pk]))
    assert page.status_code == 404 and b"SECRET-DISCUSSION" not in page.content
    # the organiser does see it
    client.force_login(world["users"]["organiser"])
    page = client.get(reverse("reviews:submission", args=[slug, cs, world["submission"].pk]))
    assert b"SECRET-DISCUSSION" in page.content


def test_forged_post_reviewing_a_conflicted_submission_is_refused(client, world):
    client.force_login(world["users"]["conflicted"])
    response = client.post(
        urls(world)["review"],
        {"score_relevance": "5", "score_clarity": "5", "score_fit": "5", "submit": "1"},
    )
    assert response.status_code == 403
    assert "conflict of interest" in response.content.decode()
    assert not Review.objects.exists()


def test_score_out_of_range_through_the_page(client, world):
    client.force_login(world["users"]["assigned"])
    response = client.post(urls(world)["review"], {"score_relevance": "9", "submit": "1"})
    assert response.status_code == 400
    assert "between 1 and 5" in response.content.decode()
    assert not Review.objects.exists()


def test_reviewer_submits_through_the_page(client, world):
    client.force_login(world["users"]["assigned"])
    response = client.post(
        urls(world)["review"],
        {
            "score_relevance": "4",
            "score_clarity": "3",
            "score_fit": "2",
            "text_for_submitter": "Nice",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    assert Review.objects.get().status == Review.Status.SUBMITTED


def test_anonymised_call_hides_names_from_reviewers(client, world):
    call = world["call"]
    call.anonymised = True
    call.save()
    client.force_login(world["users"]["assigned"])
    page = client.get(urls(world)["review"]).content.decode()
    assert world["submission"].submitter.name not in page


def test_submit_after_the_deadline_through_the_page_changes_nothing(client):
    call = make_call(open_now=False)
    person = make_person()
    client.force_login(person.user)
    response = client.post(
        reverse("reviews:submission-new", args=[call.conference.slug, call.slug]),
        {"title": "Too late", "submit": "1"},
    )
    assert response.status_code == 400
    assert "closed" in response.content.decode()
    assert not Submission.objects.exists()


def test_submitter_drafts_and_hands_in_through_the_page(client):
    call = make_call()
    person = make_person()
    client.force_login(person.user)
    url = reverse("reviews:submission-new", args=[call.conference.slug, call.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Green parks",
            "abstract": "How",
            "session_kind": "workshop",
            "duration_minutes": "30",
            "answer_audience": "Park managers",
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sub = Submission.objects.get()
    assert sub.status == "submitted" and sub.answers == {"audience": "Park managers"}


def test_fake_file_through_the_page(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    call = make_call()
    client.force_login(make_person().user)
    response = client.post(
        reverse("reviews:submission-new", args=[call.conference.slug, call.slug]),
        {"title": "T", "answer_slides": SimpleUploadedFile("a.pdf", b"GIF89a fake")},
    )
    assert response.status_code == 400
    assert "PDF, JPEG or PNG" in response.content.decode()
    assert not Submission.objects.exists()


def test_organiser_runs_assignment_and_exports(client, world):
    client.force_login(world["users"]["organiser"])
    u = urls(world)
    response = client.post(u["assignment"], {"action": "run"})
    assert response.status_code == 302
    page = client.get(u["assignment"]).content.decode()
    assert "the bound equals the value" in page
    conflicted = world["reviewers"]["conflicted"]
    # the conflicted pair (published before the conflict appeared) is dropped by the run
    assert not Assignment.objects.filter(
        reviewer=conflicted, submission=world["submission"]
    ).exists()
    csv = client.get(u["organiser"] + "?export=csv")
    assert csv["Content-Disposition"].endswith('.csv"')
    assert world["submission"].title in b"".join(csv.streaming_content).decode()
    xlsx = client.get(u["organiser"] + "?export=xlsx")
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
    filtered = client.get(u["organiser"] + "?conflicted=yes").content.decode()
    assert world["submission"].title in filtered


def test_organiser_sets_and_sends_decisions(client, world):
    client.force_login(world["users"]["organiser"])
    call, sub = world["call"], world["submission"]
    slug = call.conference.slug
    client.post(
        reverse("reviews:organiser-submission-action", args=[slug, call.slug, sub.pk]),
        {"action": "decide", "outcome": "accept"},
    )
    client.post(reverse("reviews:organiser-decisions-send", args=[slug, call.slug]))
    sub.refresh_from_db()
    assert sub.status == "accepted"
    assert AuditEntry.objects.filter(action="reviews.decision_sent").exists()
    # the submitter sees the decision
    client.force_login(world["users"]["submitter"])
    page = client.get(urls(world)["submission"]).content.decode()
    assert "Decision" in page and "Accept" in page


def test_other_organiser_cannot_act(client, world):
    client.force_login(world["users"]["other_organiser"])
    call = world["call"]
    response = client.post(
        reverse("reviews:organiser-decisions-send", args=[call.conference.slug, call.slug])
    )
    assert response.status_code == 403


def test_me_page_shows_the_submission_status(client, world):
    from tests.factories import RegistrationFactory

    sub = world["submission"]
    RegistrationFactory(
        person=sub.submitter, conference=world["call"].conference, status="confirmed"
    )
    client.force_login(world["users"]["submitter"])
    page = client.get("/me/").content.decode()
    assert sub.title in page and "My submissions to calls" in page


def test_reviewer_bids_and_never_sees_a_found_conflict(client, world):
    call = world["call"]
    slug = call.conference.slug
    url = reverse("reviews:review-bids", args=[slug, call.slug])
    sub = world["submission"]
    client.force_login(world["users"]["conflicted"])
    assert sub.title not in client.get(url).content.decode()
    client.force_login(world["users"]["unassigned"])
    assert sub.title in client.get(url).content.decode()
    client.post(url, {f"bid_{sub.pk}": "eager"})
    from atrium.reviews.models import Bid

    assert Bid.objects.get(submission=sub).level == "eager"
    client.post(url, {f"bid_{sub.pk}": "conflict"})
    assert Bid.objects.get(submission=sub).level == "conflict"
    assert sub.title in client.get(url).content.decode()  # still listed, to change it back


def test_organiser_assigns_by_hand_but_never_a_conflict(client, world):
    call = world["call"]
    client.force_login(world["users"]["organiser"])
    url = urls(world)["assignment"]
    conflicted = world["reviewers"]["conflicted"]
    Assignment.objects.filter(reviewer=conflicted).delete()
    response = client.post(
        url,
        {"action": "add", "reviewer": conflicted.pk, "submission": world["submission"].pk},
        follow=True,
    )
    assert "conflict of interest" in response.content.decode()
    assert not Assignment.objects.filter(reviewer=conflicted).exists()
    unassigned = call.reviewers.get(user=world["users"]["unassigned"])
    client.post(
        url, {"action": "add", "reviewer": unassigned.pk, "submission": world["submission"].pk}
    )
    assert Assignment.objects.get(reviewer=unassigned).locked


def test_organiser_records_a_chosen_bid_on_a_later_edition(client):
    import datetime as dt

    from atrium.reviews import services
    from atrium.reviews.models import Decision

    call = make_call(kind="bids", slug="bids", reviewing=True)
    person = make_person()
    at = call.opens_at + dt.timedelta(hours=1)
    bid = services.submission_save(
        call=call,
        person=person,
        answers={"audience": "x"},
        actor=None,
        at=at,
        data={
            "title": "Seoul",
            "city": "Seoul",
            "venue": "COEX",
            "supporting_government": "Seoul",
            "proposed_start": dt.date(2028, 9, 1),
            "proposed_end": dt.date(2028, 9, 3),
        },
    )
    services.submission_submit(submission=bid, person=person, actor=None, at=at)
    services.decision_set(submission=bid, outcome="accept", actor=None)
    future = ConferenceFactory(start_date=dt.date(2028, 9, 1), end_date=dt.date(2028, 9, 3))
    client.force_login(make_organiser(call.conference))
    page = client.get(reverse("reviews:submission", args=[call.conference.slug, call.slug, bid.pk]))
    assert future.name in page.content.decode()
    client.post(
        reverse(
            "reviews:organiser-submission-action", args=[call.conference.slug, call.slug, bid.pk]
        ),
        {"action": "choose", "edition": future.pk},
    )
    assert Decision.objects.get(submission=bid).edition == future
