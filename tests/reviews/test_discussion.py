"""The reviewers' discussion of a submission: who reads and posts it, on the pages and in
the API; forged posts and bad comments change nothing."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from atrium.api.models import ApiToken
from atrium.api.services import token_create
from atrium.core.models import AuditEntry
from atrium.reviews import discussion
from atrium.reviews.models import Comment
from atrium.reviews.models.discussion import COMMENT_MAX_LENGTH

pytestmark = pytest.mark.django_db

SECRET = "Weak methods section, but strong data"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def discussed(world):
    """The world with one comment of the assigned reviewer."""
    discussion.comment_post(
        submission=world["submission"], user=world["users"]["assigned"], body=SECRET
    )
    return world


def _urls(world):
    call, sub = world["call"], world["submission"]
    args = [call.conference.slug, call.slug, sub.pk]
    return {
        "submission": reverse("reviews:submission", args=args),
        "review": reverse("reviews:review", args=args),
        "post": reverse("reviews:discussion", args=args),
        "api": f"/api/v1/conferences/{call.conference.slug}/calls/{call.slug}"
        f"/submissions/{sub.pk}/comments",
    }


# who -> (sees it on the submission page, on the review page; API status; may post)
MATRIX = {
    "submitter": (False, False, 404, False),
    "coauthor": (False, False, 404, False),
    "assigned": (True, True, 200, True),
    "unassigned": (False, False, 404, False),
    "conflicted": (False, False, 404, False),
    "organiser": (True, False, 200, True),
    "other_organiser": (False, False, 404, False),
    "anonymous": (False, False, 401, False),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_who_reads_the_discussion_on_the_pages(client, discussed, who):
    on_submission, on_review, _api, _post = MATRIX[who]
    user = discussed["users"][who]
    if user is not None:
        client.force_login(user)
    urls = _urls(discussed)
    for url, expected in ((urls["submission"], on_submission), (urls["review"], on_review)):
        response = client.get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        assert (SECRET in body) is expected, (who, url, response.status_code)
        assert ('id="discussion"' in body) is expected


@pytest.mark.parametrize("who", list(MATRIX))
def test_who_reads_the_discussion_in_the_api(client, discussed, who):
    user = discussed["users"][who]
    headers = {}
    if user is not None:
        plain = token_create(user=user, name="t", scope=ApiToken.Scope.READ).plain
        headers["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    response = client.get(_urls(discussed)["api"], **headers)
    assert response.status_code == MATRIX[who][2]
    text = response.content.decode()
    if response.status_code == 200:
        [item] = response.json()["items"]
        assert item["body"] == SECRET
        assert item["role"] == "reviewer"
    else:
        assert SECRET not in text


@pytest.mark.parametrize("who", list(MATRIX))
def test_who_may_post(client, world, who):
    user = world["users"][who]
    if user is not None:
        client.force_login(user)
    response = client.post(_urls(world)["post"], {"body": f"From {who}"})
    posted = Comment.objects.filter(body=f"From {who}").exists()
    assert posted is MATRIX[who][3]
    if not posted:
        assert response.status_code in (302, 404)
        if user is not None:
            assert response.status_code == 404
        assert not AuditEntry.objects.filter(action="reviews.comment_posted").exists()


def test_a_forged_post_by_a_conflicted_reviewer_changes_nothing(client, world):
    client.force_login(world["users"]["conflicted"])
    response = client.post(_urls(world)["post"], {"body": "Reject it"})
    assert response.status_code == 404
    assert not Comment.objects.exists()
    assert not AuditEntry.objects.filter(action="reviews.comment_posted").exists()
    # the service refuses it too, whatever the page does
    with pytest.raises(ValidationError):
        discussion.comment_post(
            submission=world["submission"], user=world["users"]["conflicted"], body="Reject it"
        )
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "body",
    ["", "   \n ", "x" * (COMMENT_MAX_LENGTH + 1)],
    ids=["empty", "blank", "too-long"],
)
def test_an_empty_or_over_long_comment_is_refused_naming_the_field(client, world, body):
    client.force_login(world["users"]["assigned"])
    urls = _urls(world)
    response = client.post(urls["post"], {"body": body, "next": urls["review"]}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Comment: " in text
    assert not Comment.objects.exists()
    with pytest.raises(ValidationError) as refused:
        discussion.comment_post(
            submission=world["submission"], user=world["users"]["assigned"], body=body
        )
    assert "body" in refused.value.message_dict


def test_the_longest_comment_is_kept(world):
    body = "y" * COMMENT_MAX_LENGTH
    comment = discussion.comment_post(
        submission=world["submission"], user=world["users"]["organiser"], body=body
    )
    assert comment.body == body and comment.role == Comment.Role.ORGANISER


def test_comments_show_author_and_edition_time_newest_last_and_are_logged(client, world, clock):
    sub = world["submission"]
    discussion.comment_post(submission=sub, user=world["users"]["assigned"], body="First")
    clock.move_to("2025-08-16 03:30:00")
    discussion.comment_post(submission=sub, user=world["users"]["organiser"], body="Second")
    client.force_login(world["users"]["organiser"])
    text = client.get(_urls(world)["submission"]).content.decode()
    section = text[text.index('data-testid="discussion"') :]
    assert section.index("First") < section.index("Second")
    # the edition is in Shanghai (UTC+8): 01:00 and 03:30 UTC are 09:00 and 11:30 there
    assert "16 Aug 2025, 09:00" in section and "16 Aug 2025, 11:30" in section
    assert str(world["reviewers"]["assigned"].person) in section
    entries = AuditEntry.objects.filter(action="reviews.comment_posted")
    assert entries.count() == 2
    assert entries.filter(conference=world["call"].conference).count() == 2


def test_an_anonymised_call_shows_no_submitter_name_in_the_discussion(client, world):
    call = world["call"]
    call.anonymised = True
    call.save()
    discussion.comment_post(
        submission=world["submission"], user=world["users"]["assigned"], body="Good"
    )
    client.force_login(world["users"]["assigned"])
    text = client.get(_urls(world)["review"]).content.decode()
    section = text[text.index('id="discussion"') :]
    assert "Good" in section
    assert world["submission"].submitter.name not in section


def test_an_author_who_organises_the_edition_still_does_not_see_it(client, discussed):
    from atrium.events.models import ConferenceRole

    submitter = discussed["users"]["submitter"]
    ConferenceRole.objects.create(
        conference=discussed["call"].conference, user=submitter, role=ConferenceRole.Role.ORGANISER
    )
    assert discussion.discussion_role(submitter, discussed["submission"]) is None
    client.force_login(submitter)
    assert SECRET not in client.get(_urls(discussed)["submission"]).content.decode()
