"""Organisers' badge print runs and the edition's badge layout.

- ``/c/<slug>/organiser/badges/runs/``: the runs panel alone, polled by htmx every 2 s
  while a run is queued or running;
- ``/c/<slug>/organiser/badges/runs/<id>.pdf``: a finished run's PDF;
- ``/c/<slug>/organiser/badges/layout/`` (POST): choose the edition's layout.

The badges page itself (the filter, small batches at once, starting a run) is
``checkin_views.organiser_badges``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atrium.checkin.badges import badge_layout_set
from atrium.checkin.forms import BadgeLayoutForm
from atrium.checkin.models import BadgePrintRun
from atrium.core.runs import runs_polling
from atrium.events.models import Conference
from atrium.events.permissions import organiser_required

#: Runs listed on the page, newest first.
RUNS_SHOWN = 10


def runs_context(conference: Conference) -> dict:
    """The runs panel's context: the latest runs (one query) and whether to poll."""
    runs = list(
        BadgePrintRun.objects.filter(conference=conference).select_related("created_by")[
            :RUNS_SHOWN
        ]
    )
    return {"runs": runs, "polling": runs_polling(runs)}


@organiser_required
@require_GET
def badge_runs(request, conference: Conference):
    """The runs panel alone, for htmx to poll; without htmx, the badges page."""
    if not request.htmx:
        return redirect(reverse("checkin:badges", args=[conference.slug]) + "#badge-runs")
    with timezone.override(conference.tz):
        return TemplateResponse(
            request,
            "checkin/_badge_runs.html",
            {"conference": conference, **runs_context(conference)},
        ).render()


@organiser_required
@require_GET
def badge_run_pdf(request, conference: Conference, run_id: int):
    """A finished run's PDF, streamed from storage; 404 for a run of another edition."""
    run = get_object_or_404(
        BadgePrintRun, pk=run_id, conference=conference, status=BadgePrintRun.Status.DONE
    )
    if not run.file or not run.file.storage.exists(run.file.name):
        raise Http404(_("This print run has no PDF."))
    stamp = timezone.localtime(run.finished_at or run.created, conference.tz)
    response = FileResponse(
        run.file.open("rb"),
        content_type="application/pdf",
        filename=f"badges-{conference.slug}-{stamp:%Y%m%d-%H%M}-{run.pk}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@organiser_required
@require_POST
def badge_layout(request, conference: Conference):
    """Choose the edition's badge layout (audit-logged), then back to the badges page."""
    form = BadgeLayoutForm(request.POST)
    if form.is_valid():
        try:
            badge_layout_set(
                conference=conference, layout=form.cleaned_data["layout"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Badges of this edition now print on this layout."))
    else:
        messages.error(request, _("Choose the A6 or the 4×3 inch label layout."))
    return redirect("checkin:badges", slug=conference.slug)
