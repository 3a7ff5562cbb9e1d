"""Long lists of choices, made once and rendered quickly.

Django copies and walks a field's choices for every form made, and renders every
``<option>`` of a select through its own templates (two template renders an option): for
the country select of a form, 250 countries, that was most of the time the page took.
``FixedChoices`` is a list made once (per language) and shared by every form;
``QuickSelect`` writes the same markup as Django's templates in Python, and for fixed
choices keeps the escaped ``<option>`` tags, which are the same for everyone.
"""

from __future__ import annotations

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


class FixedChoices(BaseChoiceIterator):
    """Choices that never change once made: (value, label) strings, no groups.

    A field given these neither copies nor walks them for each form; keep one instance
    for every form that shows the same list (``atrium.core.i18n.shared_country_choices``).
    """

    def __init__(self, choices):
        self.choices = tuple((str(value), str(label)) for value, label in choices)
        self._tags: tuple[dict[str, int], tuple[str, ...]] | None = None

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def __deepcopy__(self, memo):
        return self  # never changed: every copy of a form's fields may share it

    def option_tags(self) -> tuple[dict[str, int], tuple[str, ...]]:
        """(index of each value, the ``<option>`` tag of each choice, unselected)."""
        if self._tags is None:
            index: dict[str, int] = {}
            tags = []
            for i, (value, label) in enumerate(self.choices):
                index.setdefault(value, i)
                tags.append(_option_tag(value, label))
            self._tags = (index, tuple(tags))
        return self._tags


def _option_tag(value: str, label, selected: bool = False) -> str:
    return (
        f'\n  <option value="{conditional_escape(value)}"{" selected" if selected else ""}>'
        f"{conditional_escape(label)}</option>"
    )


class QuickSelect(forms.Select):
    """A ``Select`` whose options are written in Python, with the markup of Django's own
    templates (``select.html``, ``select_option.html``). Options in groups fall back to
    the templates. One value is selected at most, as in ``Select``."""

    def render(self, name, value, attrs=None, renderer=None):
        wanted = self.format_value(value)
        if isinstance(self.choices, FixedChoices):
            index, tags = self.choices.option_tags()
            options = list(tags)
            chosen = next((index[v] for v in wanted if v in index), None)
            if chosen is not None:
                options[chosen] = _option_tag(*self.choices.choices[chosen], selected=True)
        else:
            choices = list(self.choices)
            if self.allow_multiple_selected or any(
                isinstance(label, (list, tuple)) for _value, label in choices
            ):
                return super().render(name, value, attrs, renderer)
            options = []
            pending = set(wanted)
            for option_value, label in choices:
                option_value = "" if option_value is None else str(option_value)
                selected = option_value in pending
                if selected:
                    pending = set()
                options.append(_option_tag(option_value, label, selected))
        final_attrs = _attributes(self.build_attrs(self.attrs, attrs))
        start = f'<select name="{conditional_escape(name)}"{final_attrs}>'
        return mark_safe(start + "".join(options) + "\n</select>")  # noqa: S308 (escaped above)


def _attributes(attrs: dict) -> str:
    """The attributes as Django's ``attrs.html`` writes them (in order; True bare, False left
    out)."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )
