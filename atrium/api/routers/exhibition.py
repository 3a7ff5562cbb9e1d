"""The exhibition: exhibitors and booths (public), and an exhibitor's leads (with a token).

The same rules as the pages: ``exhibition.selectors.exhibitor_access`` decides who may
scan (the contact and booth staff) and who may read leads (the contact, staff with lead
access, organisers of the edition); a lead shows only what the visitor consented to;
scans go through ``exhibition.services.lead_scan`` (idempotent per ``client_id``).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from atrium.api.auth import require_scope, token_auth
from atrium.api.errors import ErrorOut, forbidden, not_found, responses
from atrium.api.models import ApiToken
from atrium.api.routers.events import Slug
from atrium.events.models import Conference
from atrium.exhibition import leads as exhibition_leads
from atrium.exhibition import selectors
from atrium.exhibition.models import Exhibitor

router = Router(tags=["Exhibition"])


def _conference(slug: str) -> Conference:
    conference = Conference.objects.filter(slug=slug, is_published=True).first()
    if conference is None:
        raise not_found(_("There is no conference “%(slug)s”.") % {"slug": slug})
    return conference


class ExhibitorOut(Schema):
    id: int
    name: str
    name_zh: str
    organisation: str = Field(..., description="The organisation's slug in the directory.")
    description: str
    description_zh: str
    website: str
    booths: list[str]

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name

    @staticmethod
    def resolve_name_zh(obj) -> str:
        return obj.display_name_zh

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_booths(obj) -> list[str]:
        return [booking.booth.code for booking in obj.booked]


class BoothOut(Schema):
    id: int
    hall: str
    code: str
    x: float
    y: float
    width: float
    depth: float
    category: str
    price_usd: str
    price_cny: str
    staff_passes: int
    status: str = Field(..., description="free, held or booked.")
    exhibitor: int | None


class LeadOut(Schema):
    id: int
    scanned_at: dt.datetime
    name: str
    name_zh: str
    organisation: str
    job_title: str
    email: str
    phone: str
    rating: int | None
    notes: str
    tags: list[str]
    interests: list[str]


class ScanIn(Schema):
    token: str = Field(..., min_length=1, max_length=200, description="The text of the QR code.")
    client_id: uuid.UUID = Field(..., description="Made by the device, once per scan.")
    scanned_at: dt.datetime | None = Field(None, description="The device's time of the scan.")


class ScanOut(Schema):
    created: bool = Field(..., description="False when this visitor or client_id came before.")
    lead: int
    name: str
    organisation: str


@router.get("/conferences/{slug}/exhibitors", response=responses(list[ExhibitorOut]))
def exhibitor_list(request, slug: str = Slug, q: str = Query("", max_length=100)):
    """Accepted exhibitors of the edition, searchable in Latin script, pinyin or Chinese."""
    return list(selectors.public_exhibitors(_conference(slug), q.strip()))


@router.get("/conferences/{slug}/booths", response=responses(list[BoothOut]))
def booth_list(request, slug: str = Slug):
    """Every booth of the edition with its status (a hold past its 15 minutes is free)."""
    rows = []
    for hall in selectors.plan(_conference(slug)):
        for item in hall.booths:
            b = item.booth
            rows.append(
                {
                    "id": b.pk,
                    "hall": hall.hall.code,
                    "code": b.code,
                    "x": b.x,
                    "y": b.y,
                    "width": b.width,
                    "depth": b.height,
                    "category": b.category,
                    "price_usd": str(b.price_usd),
                    "price_cny": str(b.price_cny),
                    "staff_passes": b.staff_passes,
                    "status": item.status,
                    "exhibitor": item.exhibitor.pk if item.exhibitor else None,
                }
            )
    return rows


def _exhibitor_for(request, slug: str, pk: int, check) -> Exhibitor:
    conference = Conference.objects.filter(slug=slug).first()
    exhibitor = (
        Exhibitor.objects.filter(conference=conference, pk=pk).select_related("conference").first()
        if conference
        else None
    )
    access = selectors.exhibitor_access(request.user, exhibitor) if exhibitor else None
    if access is None:
        raise not_found(_("There is no such exhibitor for you."))
    if not check(access):
        raise forbidden(_("Your part at this exhibitor does not allow this."))
    return exhibitor


@router.get(
    "/conferences/{slug}/exhibitors/{pk}/leads",
    response=responses(list[LeadOut], auth=True),
    auth=token_auth,
)
def lead_list(request, pk: int, slug: str = Slug):
    """The exhibitor's leads, each with only what the visitor consented to share (the
    contact, booth staff with lead access, organisers of the edition)."""
    exhibitor = _exhibitor_for(request, slug, pk, selectors.can_see_leads)
    return [
        {
            "id": lead.pk,
            "scanned_at": lead.scanned_at,
            **lead.card,
            "rating": lead.rating,
            "notes": lead.notes,
            "tags": lead.tags,
            "interests": lead.interests,
        }
        for lead in selectors.leads_with_cards(exhibitor)
    ]


@router.post(
    "/conferences/{slug}/exhibitors/{pk}/leads",
    # 400: a body that is not JSON at all (a scanner's garbled upload).
    response={**responses(ScanOut, auth=True), 400: ErrorOut},
    auth=token_auth,
)
def lead_scan(request, pk: int, payload: ScanIn, slug: str = Slug):
    """Scan a badge (a read-and-write token of the contact or booth staff)."""
    require_scope(request, ApiToken.Scope.WRITE)
    exhibitor = _exhibitor_for(request, slug, pk, selectors.can_scan)
    result = exhibition_leads.lead_scan(
        exhibitor=exhibitor,
        token=payload.token,
        client_id=payload.client_id,
        scanned_at=payload.scanned_at,
        actor=request.user,
    )
    card = selectors.shared_card(
        result.lead, selectors.consent_choices(result.lead.registration.person, exhibitor)
    )
    return {
        "created": result.created,
        "lead": result.lead.pk,
        "name": card["name"],
        "organisation": card["organisation"],
    }
