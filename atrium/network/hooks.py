"""What the directory offers the apps above it (events, matchmaking, check-in, …).

Network never imports those apps; they register here in their ``AppConfig.ready``.
"""

from atrium.core.sections import Hook, Sections

#: Sections of an organisation's page (kwargs: ``request``, ``organisation``).
organisation_sections = Sections("organisation")

#: Who else may see a person's photo: receivers get ``user`` and ``person`` and return
#: True to allow (for instance check-in staff of an edition the person registered for).
photo_viewers = Hook("photo_viewers")

#: People or organisations changed without a model signal (the imports' ``bulk_update``):
#: receivers get ``person_ids`` and ``organisation_ids`` (events renews its programmes).
people_changed = Hook("people_changed")
