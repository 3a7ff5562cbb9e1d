"""The organiser insight page of an edition, its parts refreshed by htmx, its downloads.

- ``/c/<slug>/organiser/insight/``: organisers of the edition (every part).
- ``…/insight/checkins/``: the check-in part alone, for organisers and check-in staff; the
  page polls it every 20 seconds (htmx), a plain request gets a page of its own.
- ``…/insight/over-time/``: the registrations chart for the day/week/month switch (htmx),
  with plain links as the fallback.
- ``…/insight/export/<table>/?format=csv|xlsx``: every table as a spreadsheet.
- ``…/insight/rate/`` (POST): the organiser's exchange rate for a converted total.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from atrium.core import tabular
from atrium.core.forms import add_service_errors
from atrium.core.views import render_in_conference_time
from atrium.events.models import Conference
from atrium.events.permissions import checkin_required, organiser_required
from atrium.insight import charts, selectors, services, worldmap
from atrium.insight.forms import RateForm, ViewForm


def _render(request, conference, template, context, *, status=200):
    return render_in_conference_time(
        request,
        conference,
        template,
        {"nav": "organiser", "tab": "insight", **context},
        status=status,
        private=True,
    )


# --- context builders ------------------------------------------------------------------------


def _over_time_context(conference: Conference, *, period: str, split: str, daily=None) -> dict:
    data = selectors.registrations_over_time(conference, period=period, split=split, daily=daily)
    series = [charts.Series(line.name, line.values) for line in data.lines]
    labels = data.labels
    return {
        "over_time": data,
        "over_time_chart": charts.column_chart(
            chart_id="chart-new",
            title=_("New registrations per %(period)s") % {"period": _period_name(period)},
            desc=_("%(total)s registrations in %(n)s periods.")
            % {"total": data.total, "n": len(labels)},
            labels=labels,
            series=series,
        ),
        "over_time_legend": charts.legend(series) if split else "",
        "cumulative_chart": charts.line_chart(
            chart_id="chart-cumulative",
            title=_("Registrations so far (cumulative)"),
            desc=_("%(total)s registrations in all.") % {"total": data.total},
            labels=labels,
            series=[charts.Series(_("Registrations so far"), data.cumulative)],
        ),
        "periods": [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        "splits": [("", _("All")), ("type", _("By type")), ("status", _("By status"))],
        "period": data.period,
        "split": data.split,
    }


def _period_name(period: str) -> str:
    return {"day": _("day"), "week": _("week"), "month": _("month")}.get(period, period)


def _comparison_context(conference: Conference, daily=None) -> dict:
    comparison = selectors.edition_comparison(conference, daily=daily)
    series = [charts.Series(str(conference.name_i18n), comparison.this)]
    if comparison.previous:
        series.append(charts.Series(str(comparison.previous.name_i18n), comparison.before))
    labels = [str(-d) if d else "0" for d in comparison.days_before]
    return {
        "comparison": comparison,
        "comparison_series": series,
        "comparison_legend": charts.legend(series),
        "comparison_chart": charts.line_chart(
            chart_id="chart-compare",
            title=_("Registrations so far, by days before the opening day"),
            desc=_("This edition against the previous one, aligned on their opening days."),
            labels=labels,
            series=series,
        ),
    }


def _countries_context(conference: Conference) -> dict:
    data = selectors.country_counts(conference)
    link = reverse("organiser:registrations", args=[conference.slug]) + "?country={code}"
    named = [row for row in data.rows if row.code]
    keys = {
        "registrations": _map_key(data.registrations_max),
        "checked_in": _map_key(data.checked_in_max),
    }
    return {
        "countries": data,
        "has_map": bool(worldmap.world_shapes()),
        "map_shapes": worldmap.map_shapes_svg(),
        "registrations_map": worldmap.map_svg(
            map_id="map-registrations",
            title=_("Registrations by country"),
            values={r.code: (r.registrations, r.registrations_class, r.name) for r in named},
            link=link,
        ),
        "checked_in_map": worldmap.map_svg(
            map_id="map-checked-in",
            title=_("People checked in by country"),
            values={r.code: (r.checked_in, r.checked_in_class, r.name) for r in named},
            link=link,
        ),
        "map_keys": keys,
    }


def _map_key(top: int) -> list[tuple[int, str]]:
    """(class, "from – to") for the colour classes in use under ``top``."""
    key = []
    for klass in range(1, selectors.MAP_CLASSES + 1):
        low = selectors.map_class_floor(klass, top)
        high = (
            selectors.map_class_floor(klass + 1, top) - 1 if klass < selectors.MAP_CLASSES else top
        )
        if top and low <= high and selectors.map_class(low, top) == klass:
            key.append((klass, f"{low:,}" if low == high else f"{low:,}–{high:,}"))
    return key


def _checkins_context(conference: Conference, day: dt.date | None) -> dict:
    live = selectors.checkins_live(conference, day=day)
    hours = live.busy_hours
    today = timezone.localtime(timezone.now(), conference.tz).date()
    return {
        "live": live,
        "is_today": live.day == today,
        "conference_days": conference.days,
        "hours_chart": charts.column_chart(
            chart_id="chart-hours",
            title=_("People checked in per hour"),
            desc=_("%(people)s people checked in on this day.") % {"people": live.people},
            labels=[f"{hour:02d}:00" for hour, _n in hours],
            series=[charts.Series(_("People checked in"), [n for _h, n in hours])],
        )
        if hours
        else "",
    }


def _exhibition_context(conference: Conference) -> dict:
    data = selectors.exhibition_figures(conference)
    halls = data.halls
    series = [
        charts.Series(pgettext("booth status", "Booked"), [h.booked for h in halls]),
        charts.Series(pgettext("booth status", "Held"), [h.held for h in halls]),
        charts.Series(pgettext("booth status", "Free"), [h.free for h in halls]),
    ]
    days = data.leads_by_day
    return {
        "exhibition": data,
        "booths_chart": charts.column_chart(
            chart_id="chart-booths",
            title=_("Booths per hall by status"),
            desc=_("%(booked)s of %(total)s booths booked, %(held)s held.")
            % {
                "booked": data.all_halls.booked,
                "total": data.all_halls.total,
                "held": data.all_halls.held,
            },
            labels=[h.name for h in halls],
            series=series,
        )
        if halls
        else "",
        "booths_legend": charts.legend(series) if halls else "",
        "leads_chart": charts.column_chart(
            chart_id="chart-leads",
            title=_("Leads scanned per day"),
            desc=_("%(leads)s leads scanned in all.") % {"leads": data.leads},
            labels=[day.strftime("%m-%d") for day, _n in days],
            series=[charts.Series(_("Leads scanned"), [n for _d, n in days])],
        )
        if days
        else "",
    }


def _page_context(conference: Conference, request) -> dict:
    view = ViewForm(request.GET or None).values()
    daily = selectors.daily_registrations(conference)  # shared by the two time charts
    context = {
        **_over_time_context(conference, period=view["period"], split=view["split"], daily=daily),
        **_comparison_context(conference, daily=daily),
        **_countries_context(conference),
        **_checkins_context(conference, view["day"]),
        "money": selectors.money_by_currency(conference),
        "sessions": selectors.session_fill(conference),
        "b2b": selectors.b2b_figures(conference),
        **_exhibition_context(conference),
        "calls": selectors.call_figures(conference),
        "attention": selectors.needs_attention(conference),
        "due_days": selectors.payment_due_days(conference),
        "long_waitlist": selectors.LONG_WAITLIST,
    }
    return context


# --- pages -------------------------------------------------------------------------------------


@require_GET
@organiser_required
def insight(request, conference: Conference):
    context = _page_context(conference, request)
    context["rate_form"] = RateForm(initial={"on": timezone.localdate()})
    return _render(request, conference, "insight/page.html", context)


@require_GET
@organiser_required
def over_time(request, conference: Conference):
    view = ViewForm(request.GET or None).values()
    context = _over_time_context(conference, period=view["period"], split=view["split"])
    return _render(request, conference, "insight/_over_time.html", context)


@require_GET
@organiser_required
def panel(request, conference: Conference):
    """The dashboard's insight panel with its figures (loaded by the panel itself)."""
    context = {
        "comparison": selectors.edition_comparison(conference),
        "attention": selectors.needs_attention(conference),
    }
    return _render(request, conference, "insight/_panel.html", context)


@require_GET
@checkin_required
def checkins(request, conference: Conference):
    """The check-in part: a partial for htmx (the page's polling), else a page of its own."""
    view = ViewForm(request.GET or None).values()
    context = _checkins_context(conference, view["day"])
    template = "insight/_checkins.html" if request.htmx else "insight/checkins_page.html"
    return _render(request, conference, template, context)


@require_POST
@organiser_required
def rate_set(request, conference: Conference):
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.conversion_rate_set(
                conference=conference,
                rate=form.cleaned_data["rate"],
                on=form.cleaned_data["on"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        context = _page_context(conference, request)
        context["rate_form"] = form
        return _render(request, conference, "insight/page.html", context, status=400)
    messages.success(request, _("The exchange rate is saved."))
    return redirect(reverse("insight:page", args=[conference.slug]) + "#money")


# --- downloads ---------------------------------------------------------------------------------


def _export_over_time(conference, request):
    view = ViewForm(request.GET or None).values()
    data = selectors.registrations_over_time(conference, period=view["period"], split=view["split"])
    headers = [
        _("Period starting"),
        *[line.name for line in data.lines if data.split],
        _("New registrations"),
        _("Registrations so far"),
    ]
    rows = (
        [day, *(values if data.split else []), total, cumulative]
        for day, values, total, cumulative in data.rows
    )
    return headers, rows


def _export_comparison(conference, request):
    comparison = selectors.edition_comparison(conference)
    headers = [_("Days before the opening day"), str(conference.name_i18n)]
    if comparison.previous:
        headers.append(str(comparison.previous.name_i18n))
    rows = (
        [days, this, *([before] if comparison.previous else [])]
        for days, this, before in comparison.rows
    )
    return headers, rows


def _export_countries(conference, request):
    data = selectors.country_counts(conference)
    headers = [_("Country code"), _("Country"), _("Registrations"), _("People checked in")]
    rows = [
        [row.code, row.name or _("Not given"), row.registrations, row.checked_in]
        for row in data.rows
    ]
    rows.append(["", _("Total"), data.registrations, data.checked_in])
    return headers, rows


def _export_checkins(conference, request):
    view = ViewForm(request.GET or None).values()
    live = selectors.checkins_live(conference, day=view["day"])
    headers = [_("What"), _("Name"), _("People"), _("Confirmed"), _("Show rate (%)")]
    rows = [[_("Day"), live.day, live.people, None, None]]
    rows += [[_("Hour"), f"{hour:02d}:00", n, None, None] for hour, n in live.hours]
    rows += [[_("Check-in point"), p.name, p.people, None, None] for p in live.points]
    rows += [
        [_("Registration type"), r.name, r.shown, r.confirmed, r.percent] for r in live.show_rates
    ]
    return headers, rows


def _export_money(conference, request):
    money = selectors.money_by_currency(conference)
    headers = [
        _("Currency"),
        _("Paid"),
        _("Paid orders"),
        _("Outstanding"),
        _("Orders awaiting payment"),
        _("Refunded"),
        _("Refunded orders"),
        _("Free orders"),
        _("Discounts"),
    ]
    rows = [
        [
            line.currency,
            line.paid,
            line.paid_count,
            line.outstanding,
            line.outstanding_count,
            line.refunded,
            line.refunded_count,
            line.free_count,
            line.discount,
        ]
        for line in money.lines
    ]
    return headers, rows


def _export_vouchers(conference, request):
    money = selectors.money_by_currency(conference)
    headers = [_("Voucher"), _("Times used"), _("Uses allowed"), _("Registrations")]
    headers += [_("Discount (%(currency)s)") % {"currency": c} for c in ("USD", "CNY")]
    rows = [
        [
            v.code,
            v.used,
            v.max_uses,
            v.registrations,
            v.discounts.get("USD", 0),
            v.discounts.get("CNY", 0),
        ]
        for v in money.vouchers
    ]
    return headers, rows


def _export_sessions(conference, request):
    headers = [
        _("Session"),
        _("Start"),
        _("Seats"),
        _("Seats taken"),
        _("Fill rate (%)"),
        _("Waiting list"),
        _("Checked in at the session"),
        _("No-shows"),
    ]
    rows = [
        [s.title, s.start, s.seats, s.taken, s.percent, s.waiting, s.boarded, s.no_shows]
        for s in selectors.session_fill(conference)
    ]
    return headers, rows


def _export_b2b(conference, request):
    b2b = selectors.b2b_figures(conference)
    headers = [_("B2B block"), _("Start"), _("Accepted meetings"), _("Placed (published)")]
    if b2b.has_feedback:
        headers.append(_("Held"))
    rows = [
        [row.title, row.start, row.meetings, row.placed, *([row.held] if b2b.has_feedback else [])]
        for row in b2b.blocks
    ]
    return headers, rows


def _export_booths(conference, request):
    data = selectors.exhibition_figures(conference)
    headers = [
        _("Hall"),
        pgettext("booth status", "Free"),
        pgettext("booth status", "Held"),
        pgettext("booth status", "Booked"),
        _("Booths"),
    ]
    rows = [[h.name, h.free, h.held, h.booked, h.total] for h in [*data.halls, data.all_halls]]
    return headers, rows


def _export_booth_payments(conference, request):
    data = selectors.exhibition_figures(conference)
    headers = [_("Currency"), _("Received"), _("Payments")]
    return headers, [[line.currency, line.amount, line.count] for line in data.payments]


def _export_leads(conference, request):
    data = selectors.exhibition_figures(conference)
    headers = [_("Day"), _("Leads scanned")]
    rows = [[day, n] for day, n in data.leads_by_day]
    rows.append([_("Total"), data.leads])
    return headers, rows


def _export_calls(conference, request):
    calls = selectors.call_figures(conference)
    labels = [label for _v, label, _n in calls[0].by_status] if calls else []
    headers = [
        _("Call"),
        _("Kind"),
        *labels,
        _("Submissions"),
        _("Reviews assigned"),
        _("Reviews submitted"),
        _("Review progress (%)"),
        _("Decisions pending"),
        _("Decisions sent"),
    ]
    rows = [
        [
            c.title,
            c.kind_label,
            *[n for _v, _l, n in c.by_status],
            c.submissions,
            c.assigned,
            c.submitted_reviews,
            c.review_percent,
            c.decisions_pending,
            c.decisions_sent,
        ]
        for c in calls
    ]
    return headers, rows


EXPORTS = {
    "over-time": _export_over_time,
    "comparison": _export_comparison,
    "countries": _export_countries,
    "money": _export_money,
    "vouchers": _export_vouchers,
    "sessions": _export_sessions,
    "b2b": _export_b2b,
    "booths": _export_booths,
    "booth-payments": _export_booth_payments,
    "leads": _export_leads,
    "calls": _export_calls,
}


def _download(request, conference, table: str, build):
    headers, rows = build(conference, request)
    with timezone.override(conference.tz):
        return tabular.tabular_export(
            request,
            filename_stem=f"{conference.slug}-insight-{table}",
            headers=headers,
            rows=list(rows),
        )


@require_GET
@organiser_required
def export(request, conference: Conference, table: str):
    build = EXPORTS.get(table)
    if build is None:
        raise Http404
    return _download(request, conference, table, build)


@require_GET
@checkin_required
def export_checkins(request, conference: Conference):
    return _download(request, conference, "checkins", _export_checkins)
