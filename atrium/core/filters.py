"""Filter forms that never fail a page: a bad value is dropped with a notice."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _


class FilterForm(forms.Form):
    """A GET form of optional filters.

    ``filters()`` returns the valid values and, for every value that did not
    validate (an unknown country, a kind that does not exist, a page that is no
    number), a notice naming the field; that filter is ignored instead of the
    page failing.
    """

    def filters(self) -> tuple[dict, list[str]]:
        notices: list[str] = []
        if not self.is_bound:  # no parameters at all: no filter, no notice
            return {}, notices
        self.is_valid()
        values = {}
        for name, field in self.fields.items():
            if name in self.errors:
                raw = self.data.get(name, "")
                notices.append(
                    _("The filter “%(field)s” had an unknown value “%(value)s” and was ignored.")
                    % {"field": field.label or name, "value": raw[:60]}
                )
                continue
            value = self.cleaned_data.get(name)
            if value not in (None, "", []):
                values[name] = value
        return values, notices

    def active_query(self, exclude: tuple[str, ...] = ()) -> str:
        """The valid filters as a query string, for links that keep them (tabs, pages)."""
        values, _notices = self.filters()
        query = QueryDict(mutable=True)
        for name in values:
            if name in exclude:
                continue
            query[name] = self.data.get(name)
        return query.urlencode()
