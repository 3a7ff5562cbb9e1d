"""Events' sections on the directory's pages, and the programme's revision kept current;
connected in ``EventsConfig.ready``."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from atrium.core.sections import Section


def organisation_sessions_section(*, request, organisation) -> Section | None:
    from atrium.events.selectors import organisation_sessions

    sessions = list(organisation_sessions(organisation))
    if not sessions:
        return None
    return Section("events/_organisation_sessions.html", {"sessions": sessions})


# --- the programme's revision (atrium.events.revision) -------------------------------------


def _conference_saved(sender, instance, **kwargs) -> None:
    from atrium.events import revision

    revision.ensure(instance.pk)


def _part_changed(sender, instance, **kwargs) -> None:
    """A session, room, venue or track saved or deleted."""
    from atrium.events import revision

    revision.bump(conference_id=instance.conference_id)


def _session_part_changed(sender, instance, **kwargs) -> None:
    """A talk or a role saved or deleted."""
    from atrium.events import revision

    revision.bump(conference__sessions=instance.session_id)


def _speakers_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    from atrium.events import revision

    if not action.startswith("post_"):
        return
    if not reverse:  # talk.speakers.add(...)
        revision.bump(conference__sessions__talks=instance.pk)
    else:  # person.talks.add(...)
        talks = pk_set if pk_set is not None else []
        if action == "post_clear":
            return  # pre_clear below bumps while the rows still say which talks
        revision.bump(conference__sessions__talks__in=list(talks))


def _speakers_clearing(sender, instance, action, reverse, **kwargs) -> None:
    from atrium.events import revision

    if action == "pre_clear" and reverse:
        revision.bump(conference__sessions__talks__speakers=instance.pk)


def _person_changed(sender, instance, **kwargs) -> None:
    """A person saved (after the commit: a person is saved often, mostly not a speaker)."""
    from atrium.events import revision

    pk = instance.pk
    transaction.on_commit(lambda: revision.bump_people(person_ids=[pk]))


def _person_deleting(sender, instance, **kwargs) -> None:
    """Before the delete, while their roles and talks still say where they take part."""
    from atrium.events import revision

    revision.bump_people(person_ids=[instance.pk])


def _organisation_changed(sender, instance, **kwargs) -> None:
    from atrium.events import revision

    pk = instance.pk
    transaction.on_commit(lambda: revision.bump_people(organisation_ids=[pk]))


def _people_imported(*, person_ids=(), organisation_ids=(), **kwargs) -> None:
    """The directory's imports write with ``bulk_update``, which sends no signal."""
    from atrium.events import revision

    revision.bump_people(person_ids=person_ids, organisation_ids=organisation_ids)


def connect() -> None:
    from atrium.events.models import Conference, Room, Session, SessionRole, Talk, Track, Venue
    from atrium.network import hooks
    from atrium.network.models import Organisation, Person

    hooks.organisation_sections.register(organisation_sessions_section, order=20)

    post_save.connect(_conference_saved, sender=Conference, dispatch_uid="events-revision")
    for model in (Session, Room, Venue, Track):
        post_save.connect(_part_changed, sender=model, dispatch_uid="events-revision")
        post_delete.connect(_part_changed, sender=model, dispatch_uid="events-revision")
    for model in (Talk, SessionRole):
        post_save.connect(_session_part_changed, sender=model, dispatch_uid="events-revision")
        post_delete.connect(_session_part_changed, sender=model, dispatch_uid="events-revision")
    through = Talk.speakers.through
    m2m_changed.connect(_speakers_changed, sender=through, dispatch_uid="events-revision")
    m2m_changed.connect(_speakers_clearing, sender=through, dispatch_uid="events-revision-clear")
    post_save.connect(_person_changed, sender=Person, dispatch_uid="events-revision")
    pre_delete.connect(_person_deleting, sender=Person, dispatch_uid="events-revision")
    post_save.connect(_organisation_changed, sender=Organisation, dispatch_uid="events-revision")
    hooks.people_changed.connect(_people_imported)
