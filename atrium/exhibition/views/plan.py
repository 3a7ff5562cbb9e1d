"""The public pages: the floor plan, the exhibitor list and profiles, product pictures."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from atrium.core.views import render_in_conference_time
from atrium.exhibition import forms, selectors
from atrium.exhibition.models import (
    BoothBooking,
    Exhibitor,
    Product,
)
from atrium.exhibition.views.access import published_conference


def plan(request, slug):
    """The floor plan: an SVG per hall, booths coloured by status, and the same as a list."""
    conference = published_conference(slug)
    form = forms.SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    halls = selectors.plan(conference)
    matches = None
    if q:
        ids = set(selectors.public_exhibitors(conference, q).values_list("pk", flat=True))
        needle = q.upper()
        matches = set()
        for hall in halls:
            for item in hall.booths:
                if (
                    item.exhibitor and item.exhibitor.pk in ids
                ) or needle == item.booth.code.upper():
                    matches.add(item.booth.pk)
    counts = {selectors.FREE: 0, selectors.HELD: 0, selectors.BOOKED: 0}
    for hall in halls:
        for item in hall.booths:
            counts[item.status] += 1
        hall.listed = [i for i in hall.booths if matches is None or i.booth.pk in matches]
    return render_in_conference_time(
        request,
        conference,
        "exhibition/plan.html",
        {
            "nav": "exhibition",
            "halls": halls,
            "form": form,
            "q": q,
            "matches": matches,
            "counts": counts,
            "mine": selectors.exhibitors_of_user(request.user, conference),
        },
    )


def exhibitors(request, slug):
    conference = published_conference(slug)
    form = forms.SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(selectors.public_exhibitors(conference, q), 50).get_page(
        request.GET.get("page")
    )
    return render_in_conference_time(
        request,
        conference,
        "exhibition/exhibitors.html",
        {"nav": "exhibition", "form": form, "q": q, "page": page},
    )


def exhibitor_profile(request, slug, pk):
    conference = published_conference(slug)
    exhibitor = get_object_or_404(
        Exhibitor.objects.select_related("organisation").prefetch_related(
            "products",
            Prefetch(
                "bookings",
                queryset=BoothBooking.objects.filter(status="booked").select_related("booth__hall"),
                to_attr="booked",
            ),
        ),
        conference=conference,
        pk=pk,
        status=Exhibitor.Status.ACCEPTED,
    )
    return render_in_conference_time(
        request,
        conference,
        "exhibition/exhibitor.html",
        {
            "nav": "exhibition",
            "exhibitor": exhibitor,
            "meeting_contact": selectors.meeting_contact(exhibitor),
            "is_contact": request.user.is_authenticated and request.user.pk == exhibitor.contact_id,
        },
    )


def product_image(request, slug, pk, product_id):
    """A product's picture (public once the exhibitor is accepted)."""
    from django.http import FileResponse

    product = get_object_or_404(
        Product,
        pk=product_id,
        exhibitor_id=pk,
        exhibitor__conference__slug=slug,
    )
    visible = product.exhibitor.is_accepted or selectors.exhibitor_access(
        request.user, product.exhibitor
    )
    if not product.image or not visible:
        raise Http404
    return FileResponse(product.image.open("rb"), content_type="image/jpeg")
