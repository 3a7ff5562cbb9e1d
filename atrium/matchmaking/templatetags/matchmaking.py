"""Template tags for the B2B includes other apps' pages use (/me/, the directory)."""

from __future__ import annotations

from django import template

from atrium.matchmaking import selectors

register = template.Library()


@register.simple_tag
def b2b_meetings(registration):
    """The published meetings of ``registration`` (a list of ``MeetingEntry``)."""
    if registration is None or registration.status != "confirmed":
        return []
    return selectors.meetings_for_person(
        conference=registration.conference, person=registration.person
    )


@register.simple_tag
def b2b_organisation_profiles(organisation):
    """The matchmaking profiles an organisation's delegates chose to show on its page."""
    if organisation is None:
        return []
    return selectors.organisation_profiles(organisation)
