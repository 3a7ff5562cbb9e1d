"""Inviting a reviewer who has no account yet: a hashed token by e-mail, sign up, accept."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from atrium.core.invitations import token_hash
from atrium.events.models import ConferenceRole
from atrium.reviews import services
from atrium.reviews.models import Reviewer, ReviewerInvitation
from tests.factories import UserFactory

from .helpers import make_call, make_organiser

pytestmark = pytest.mark.django_db


def _invite(call, email="new.juror@uni.example.org", **kwargs):
    return services.reviewer_invite(
        call=call,
        email=email,
        max_load=kwargs.pop("max_load", 4),
        track=kwargs.pop("track", call.tracks.get()),
        accept_url="https://atrium.test/invite/{token}/",
        actor=None,
        **kwargs,
    )


def test_an_unknown_email_gets_a_hashed_token_and_a_mail(django_capture_on_commit_callbacks):
    call = make_call()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(call, email=" New.Juror@Uni.example.org ")
    assert isinstance(invitation, ReviewerInvitation)
    assert invitation.email == "new.juror@uni.example.org"
    assert invitation.token_hash == token_hash(invitation.token)
    assert invitation.token not in invitation.token_hash
    assert mail.outbox[-1].to == ["new.juror@uni.example.org"]
    assert f"https://atrium.test/invite/{invitation.token}/" in mail.outbox[-1].body
    assert not Reviewer.objects.exists()
    with pytest.raises(ValidationError, match="invited already"):
        _invite(call)
    # without a page to accept on (an old caller), the old answer stands
    with pytest.raises(ValidationError, match="sign up first"):
        services.reviewer_invite(call=call, email="x@uni.example.org", actor=None)


def test_accepting_makes_the_account_a_reviewer_once():
    call = make_call()
    invitation = _invite(call)
    found = services.reviewer_invitation_for_token(invitation.token)
    assert found == invitation
    assert services.reviewer_invitation_for_token("forged") is None
    assert services.reviewer_invitation_for_token("x" * 101) is None
    user = UserFactory()
    reviewer = services.reviewer_invitation_accept(invitation=found, user=user, actor=user)
    assert (reviewer.call, reviewer.user, reviewer.max_load) == (call, user, 4)
    assert reviewer.track == call.tracks.get()
    assert ConferenceRole.objects.filter(
        conference=call.conference, user=user, role=ConferenceRole.Role.REVIEWER
    ).exists()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.reviewer) == ("accepted", reviewer)
    assert services.reviewer_invitation_for_token(invitation.token) is None
    with pytest.raises(ValidationError, match="used or withdrawn"):
        services.reviewer_invitation_accept(invitation=invitation, user=UserFactory(), actor=None)
    assert Reviewer.objects.count() == 1


def test_a_withdrawn_invitation_opens_nothing(client):
    call = make_call()
    invitation = _invite(call)
    services.reviewer_invitation_revoke(invitation=invitation, actor=None)
    url = reverse("reviews:reviewer-invitation", args=[call.conference.slug, invitation.token])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Reviewer.objects.exists()


def test_the_page_asks_to_sign_up_then_accepts(client):
    call = make_call()
    invitation = _invite(call)
    url = reverse("reviews:reviewer-invitation", args=[call.conference.slug, invitation.token])
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("accounts:signup") + "?next=" in page.text
    response = client.post(url)  # not logged in: to the log-in page, nothing made
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Reviewer.objects.exists()
    user = UserFactory(email="new.juror@uni.example.org")
    client.force_login(user)
    assert "Accept and review" in client.get(url).text
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "reviews:review-home", args=[call.conference.slug, call.slug]
    )
    assert Reviewer.objects.get().user == user
    assert client.get(response["Location"]).status_code == 200
    # the link works once
    assert client.get(url).status_code == 404


def test_a_token_of_another_edition_is_404(client):
    call = make_call()
    other = make_call(slug="other")
    invitation = _invite(call)
    url = reverse("reviews:reviewer-invitation", args=[other.conference.slug, invitation.token])
    client.force_login(UserFactory())
    assert client.post(url).status_code == 404
    assert not Reviewer.objects.exists()


def test_organiser_page_invites_lists_and_withdraws(client, django_capture_on_commit_callbacks):
    call = make_call()
    page = reverse("reviews:organiser-call", args=[call.conference.slug, call.slug])
    client.force_login(make_organiser(call.conference))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page,
            {"what": "invite", "email": "nobody@uni.example.org", "max_load": 3},
            follow=True,
        )
    assert "invitation to sign up and review is on its way" in response.text
    assert "nobody@uni.example.org" in response.text
    link = re.search(r"https?://\S+/reviewer-invitation/(\S+)/", mail.outbox[-1].body)
    assert link and services.reviewer_invitation_for_token(link.group(1))
    invitation = ReviewerInvitation.objects.get()
    client.post(page, {"what": "revoke", "pk": invitation.pk})
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    # an existing account is made a reviewer at once, as before
    user = UserFactory(email="known@uni.example.org")
    client.post(page, {"what": "invite", "email": "known@uni.example.org", "max_load": 3})
    assert Reviewer.objects.filter(call=call, user=user).exists()
