"""What events offers the apps above it (registration, …).

Events never imports those apps; they connect here in their ``AppConfig.ready``.
"""

from atrium.core.sections import Hook

#: Figures of an edition's home page from other apps: receivers get ``conference`` and
#: return a dict such as ``{"delegates": 700, "countries": 50}``.
conference_figures = Hook("conference_figures")
