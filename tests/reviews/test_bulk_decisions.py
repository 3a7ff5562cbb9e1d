"""Bulk decisions: many submissions get the same pending decision in one action, then sent."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from atrium.reviews import services
from atrium.reviews.models import Decision, Submission

from .helpers import make_call, make_organiser, make_submission

pytestmark = pytest.mark.django_db


def _urls(call):
    args = [call.conference.slug, call.slug]
    return (
        reverse("reviews:organiser-submissions", args=args),
        reverse("reviews:organiser-decisions-bulk", args=args),
        reverse("reviews:organiser-decisions-send", args=args),
    )


def test_bulk_sets_pending_decisions_all_or_none():
    call = make_call(reviewing=True)
    subs = [make_submission(call) for _ in range(3)]
    draft = make_submission(call, submit=False)
    with pytest.raises(ValidationError) as caught:
        services.decisions_set_bulk(
            call=call, submissions=[*subs, draft], outcome="waitlist", actor=None
        )
    assert any(f"#{draft.pk}" in m for m in caught.value.messages)
    assert not Decision.objects.exists()  # none set, not even the valid ones
    assert services.decisions_set_bulk(call=call, submissions=subs, outcome="reject", actor=None)
    assert set(Decision.objects.values_list("outcome", "status")) == {("reject", "pending")}
    with pytest.raises(ValidationError):
        services.decisions_set_bulk(
            call=call, submissions=subs, outcome="accept_other_track", actor=None
        )
    other = make_call(slug="other", reviewing=True)
    with pytest.raises(ValidationError, match="another call"):
        services.decisions_set_bulk(call=other, submissions=subs[:1], outcome="accept", actor=None)


def test_bulk_through_the_list_then_sent_in_bulk(client, django_capture_on_commit_callbacks):
    call = make_call(reviewing=True)
    subs = [make_submission(call) for _ in range(3)]
    client.force_login(make_organiser(call.conference))
    list_url, bulk_url, send_url = _urls(call)
    page = client.get(list_url)
    assert f'name="submissions" value="{subs[0].pk}"' in page.text
    response = client.post(
        bulk_url,
        {"submissions": [subs[0].pk, subs[1].pk], "outcome": "accept", "query": "sort=mean"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?sort=mean")
    assert Decision.objects.filter(outcome="accept", status="pending").count() == 2
    assert not Decision.objects.filter(submission=subs[2]).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_url)
    assert set(
        Submission.objects.filter(pk__in=[subs[0].pk, subs[1].pk]).values_list("status", flat=True)
    ) == {"accepted"}
    assert len(mail.outbox) == 2
    # sent: no box to tick any more, and a second bulk refuses with the reason
    page = client.get(list_url)
    assert f'name="submissions" value="{subs[0].pk}"' not in page.text
    response = client.post(
        bulk_url, {"submissions": [subs[0].pk], "outcome": "reject"}, follow=True
    )
    assert "has been sent already" in response.text
    assert Decision.objects.get(submission=subs[0]).outcome == "accept"


def test_bulk_needs_a_selection_and_an_organiser_of_the_edition(client):
    call = make_call(reviewing=True)
    sub = make_submission(call)
    _list, bulk_url, _send = _urls(call)
    client.force_login(make_organiser(call.conference))
    response = client.post(bulk_url, {"outcome": "accept"}, follow=True)
    assert "Select at least one submission." in response.text
    other = make_call(slug="elsewhere", reviewing=True)
    foreign = make_submission(other)
    client.post(bulk_url, {"submissions": [foreign.pk], "outcome": "accept"})
    assert not Decision.objects.exists()  # not a choice of this call
    client.force_login(make_organiser(make_call(slug="x").conference))
    response = client.post(bulk_url, {"submissions": [sub.pk], "outcome": "accept"})
    assert response.status_code == 403
    client.logout()
    assert client.post(bulk_url, {"submissions": [sub.pk], "outcome": "accept"}).status_code == 302
    assert not Decision.objects.exists()
    assert client.get(bulk_url).status_code in (302, 405)
