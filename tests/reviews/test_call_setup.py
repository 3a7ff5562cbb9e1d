"""Organisers edit and delete a call's tracks, form fields and criteria (services and page)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from atrium.core.models import AuditEntry
from atrium.reviews import services
from atrium.reviews.models import Criterion, FormField, Review, Track

from .helpers import assign_published, make_call, make_organiser, make_reviewer, make_submission

pytestmark = pytest.mark.django_db


def _page(call):
    return reverse("reviews:organiser-call", args=[call.conference.slug, call.slug])


def _review(call, sub, scores):
    reviewer = make_reviewer(call)
    assign_published(reviewer, sub)
    return services.review_save(
        reviewer=reviewer, submission=sub, scores=scores, submit=True, actor=None
    )


# --- services -------------------------------------------------------------------------------


def test_unused_parts_are_deleted_and_logged():
    call = make_call()
    extra = Track.objects.create(call=call, slug="energy", name="Energy")
    field = FormField.objects.create(call=call, key="video", kind="link", label="Video")
    criterion = Criterion.objects.create(call=call, key="impact", name="Impact")
    for obj in (extra, field, criterion):
        services.call_part_delete(obj=obj, actor=None)
    assert not Track.objects.filter(pk=extra.pk).exists()
    assert not FormField.objects.filter(pk=field.pk).exists()
    assert not Criterion.objects.filter(pk=criterion.pk).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "reviews.track_deleted",
        "reviews.formfield_deleted",
        "reviews.criterion_deleted",
    } <= actions


def test_a_track_with_submissions_is_not_deleted():
    call = make_call()
    track = call.tracks.get()
    make_submission(call, track=track)
    with pytest.raises(ValidationError, match="1 submissions, 0 reviewers and 0 decisions"):
        services.call_part_delete(obj=track, actor=None)
    assert Track.objects.filter(pk=track.pk).exists()


def test_a_track_with_reviewers_is_not_deleted():
    call = make_call()
    track = call.tracks.get()
    reviewer = make_reviewer(call)
    reviewer.track = track
    reviewer.save()
    with pytest.raises(ValidationError, match="1 reviewers"):
        services.call_part_delete(obj=track, actor=None)


def test_an_answered_field_is_not_deleted_nor_rekeyed_but_relabelled():
    call = make_call()
    make_submission(call)  # answers "audience"
    field = call.fields.get(key="audience")
    with pytest.raises(ValidationError, match="1 submission answered it"):
        services.call_part_delete(obj=field, actor=None)
    field.key = "public"
    with pytest.raises(ValidationError) as caught:
        services.call_part_save(obj=field, actor=None)
    assert "key" in caught.value.message_dict
    field = FormField.objects.get(pk=field.pk)
    field.kind = FormField.Kind.NUMBER
    with pytest.raises(ValidationError) as caught:
        services.call_part_save(obj=field, actor=None)
    assert "kind" in caught.value.message_dict
    field = FormField.objects.get(pk=field.pk)
    field.label, field.label_zh = "Who listens", "听众"
    services.call_part_save(obj=field, actor=None)
    assert FormField.objects.get(pk=field.pk).label_zh == "听众"
    # an unanswered field may change its key
    slides = call.fields.get(key="slides")
    slides.key = "deck"
    services.call_part_save(obj=slides, actor=None)
    assert call.fields.filter(key="deck").exists()


def test_a_scored_criterion_keeps_its_key_and_scale_and_a_new_weight_totals_again():
    call = make_call(reviewing=True)
    sub = make_submission(call)
    review = _review(call, sub, {"relevance": 5, "clarity": 2, "fit": 3})
    assert review.total == pytest.approx((5 * 2 + 2) / 3, abs=1e-3)
    relevance = call.criteria.get(key="relevance")
    with pytest.raises(ValidationError, match="1 review scored it"):
        services.call_part_delete(obj=relevance, actor=None)
    relevance.key = "pertinence"
    with pytest.raises(ValidationError) as caught:
        services.call_part_save(obj=relevance, actor=None)
    assert "key" in caught.value.message_dict
    relevance = Criterion.objects.get(pk=relevance.pk)
    relevance.scale_max = 4
    with pytest.raises(ValidationError, match="outside the new scale 1–4"):
        services.call_part_save(obj=relevance, actor=None)
    relevance = Criterion.objects.get(pk=relevance.pk)
    relevance.weight = 1
    services.call_part_save(obj=relevance, actor=None)
    assert Review.objects.get(pk=review.pk).total == pytest.approx(3.5)
    # a criterion nobody scored goes
    unused = Criterion.objects.create(call=call, key="style", name="Style")
    services.call_part_delete(obj=unused, actor=None)


# --- the page -------------------------------------------------------------------------------


def test_organiser_edits_and_deletes_through_the_page(client):
    call = make_call()
    track = call.tracks.get()
    client.force_login(make_organiser(call.conference))
    page = client.get(_page(call))
    assert page.status_code == 200
    assert f'name="tracks-{track.pk}-name_zh"' in page.text
    response = client.post(
        _page(call),
        {
            "what": "tracks",
            "pk": track.pk,
            f"tracks-{track.pk}-slug": "health",
            f"tracks-{track.pk}-name": "Health",
            f"tracks-{track.pk}-name_zh": "健康",
            f"tracks-{track.pk}-position": 3,
        },
    )
    assert response.status_code == 302
    track.refresh_from_db()
    assert (track.name, track.name_zh, track.position) == ("Health", "健康", 3)
    field = call.fields.get(key="slides")
    response = client.post(_page(call), {"what": "delete", "part": "fields", "pk": field.pk})
    assert response.status_code == 302
    assert not FormField.objects.filter(pk=field.pk).exists()


def test_refused_deletion_says_why_and_changes_nothing(client):
    call = make_call()
    track = call.tracks.get()
    make_submission(call, track=track)
    client.force_login(make_organiser(call.conference))
    response = client.post(
        _page(call), {"what": "delete", "part": "tracks", "pk": track.pk}, follow=True
    )
    assert Track.objects.filter(pk=track.pk).exists()
    assert "cannot be deleted: 1 submissions" in response.text


def test_edit_errors_show_beside_the_right_item(client):
    call = make_call()
    make_submission(call)
    field = call.fields.get(key="audience")
    client.force_login(make_organiser(call.conference))
    data = {
        f"fields-{field.pk}-{k}": v
        for k, v in {
            "key": "public",
            "kind": "text",
            "label": "Audience",
            "max_file_size": 1000,
            "position": 0,
        }.items()
    }
    response = client.post(_page(call), {"what": "fields", "pk": field.pk, **data})
    assert response.status_code == 400
    assert "answered this field" in response.text
    assert FormField.objects.get(pk=field.pk).key == "audience"


def test_parts_of_another_call_or_edition_are_404(client):
    call = make_call()
    other = make_call(slug="other")
    client.force_login(make_organiser(call.conference))
    foreign = other.tracks.get()
    response = client.post(_page(call), {"what": "delete", "part": "tracks", "pk": foreign.pk})
    assert response.status_code == 404
    assert Track.objects.filter(pk=foreign.pk).exists()
    outsider = make_organiser(other.conference)
    client.force_login(outsider)
    track = call.tracks.get()
    response = client.post(_page(call), {"what": "delete", "part": "tracks", "pk": track.pk})
    assert response.status_code == 403
    assert Track.objects.filter(pk=track.pk).exists()
