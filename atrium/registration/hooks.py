"""What registration offers the apps above it (check-in, visas, matchmaking, …).

Registration never imports those apps; they connect here in their ``AppConfig.ready``.
"""

from atrium.core.sections import Hook, Sections

#: Called inside the transaction that cancels or rejects a registration, with
#: ``registration`` and ``actor``: B2B meetings are withdrawn, open visa requests closed.
registration_withdrawn = Hook("registration_withdrawn")

#: Extra events for a registration's private calendar feed: receivers get
#: ``registration`` and ``host`` (for UIDs) and return a list of icalendar events.
agenda_feed_events = Hook("agenda_feed_events")

#: Sections of /me/ under each registration (kwargs: ``request``, ``registration``).
me_sections = Sections("me")

#: Facts on the organiser's registration page (kwargs: ``request``, ``registration``).
registration_detail_sections = Sections("registration_detail")

#: Panels of the organiser dashboard (kwargs: ``request``, ``conference``).
dashboard_sections = Sections("dashboard")
