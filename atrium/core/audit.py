from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from atrium.core.models import AuditEntry


def log_action(*, actor, action: str, obj, conference=None, data: dict | None = None) -> AuditEntry:
    """Record that ``actor`` (a user, or None for the system) did ``action`` to ``obj``.

    Called by services inside their transaction, so the entry and the change
    are saved together or not at all.
    """
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        conference=conference,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        data=data or {},
    )


def history(obj):
    """The audit entries of ``obj``, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
