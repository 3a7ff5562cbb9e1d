"""Helpers every app's views share."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils import timezone


def render_in_conference_time(request, conference, template: str, context: dict):
    """Render with the conference's time zone active, so every time shows in local time."""
    with timezone.override(conference.tz):
        response = TemplateResponse(request, template, {"conference": conference, **context})
        return response.render()
