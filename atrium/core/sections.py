"""Places on a page where higher apps add a section, without the page's app importing them.

Imports flow one way (core ← network ← events ← registration ← checkin, visas, matchmaking…):
the app that owns a page cannot import the apps above it. It offers a ``Sections`` hook
instead; an app above registers a function in its ``AppConfig.ready`` that returns a
``Section`` (a template and its context) or ``None``. The page collects them in order::

    me_sections = Sections("me")                   # in registration/hooks.py
    me_sections.register(badge_section, order=20)  # in checkin/apps.py
    sections = me_sections.collect(request=request, registration=registration)

and the template includes each:
``{% for s in sections %}{% include s.template with s=s.context %}{% endfor %}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Section:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


class Sections:
    """An ordered registry of section providers for one place on a page."""

    def __init__(self, name: str):
        self.name = name
        self._providers: list[tuple[int, Callable[..., Section | None]]] = []

    def register(self, provider: Callable[..., Section | None], *, order: int = 100) -> None:
        if any(p is provider for _, p in self._providers):
            return
        self._providers.append((order, provider))
        self._providers.sort(key=lambda item: item[0])

    def collect(self, **kwargs) -> list[Section]:
        found = []
        for _, provider in self._providers:
            section = provider(**kwargs)
            if section is not None:
                found.append(section)
        return found


class Hook:
    """A list of functions a lower app calls at a moment of its own (e.g. a cancellation).

    Unlike a Django signal, receivers run in registration order and an exception is not
    swallowed: the caller's transaction rolls back with it.
    """

    def __init__(self, name: str):
        self.name = name
        self._receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> None:
        if receiver not in self._receivers:
            self._receivers.append(receiver)

    def send(self, **kwargs) -> list[Any]:
        return [receiver(**kwargs) for receiver in self._receivers]
