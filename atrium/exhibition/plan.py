"""The exhibition plan: halls, booths and plan features, by form and by spreadsheet.

Part of the exhibition's rules (see ``services``): keyword-only, one transaction each,
audit-logged; bad input raises ``ValidationError`` naming the field."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from atrium.core import tabular
from atrium.core.audit import log_action
from atrium.events.models import Conference
from atrium.exhibition.models import (
    Booth,
    Hall,
    PlanFeature,
)

# --- the plan ---------------------------------------------------------------------------


def _point_in_polygon(x: float, y: float, polygon: list) -> bool:
    """Ray casting; a point on an edge counts as inside."""
    inside = False
    n = len(polygon)
    for i in range(n):
        x1, y1 = (float(v) for v in polygon[i])
        x2, y2 = (float(v) for v in polygon[(i + 1) % n])
        # On the edge?
        cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)
        on_x = min(x1, x2) - 1e-9 <= x <= max(x1, x2) + 1e-9
        on_y = min(y1, y2) - 1e-9 <= y <= max(y1, y2) + 1e-9
        if abs(cross) < 1e-9 and on_x and on_y:
            return True
        if (y1 > y) != (y2 > y):
            at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < at:
                inside = not inside
    return inside


def _edges_cross(a1, a2, b1, b2) -> bool:
    """True when segments a and b cross properly (touching does not count)."""

    def orient(p, q, r):
        value = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return 0 if abs(value) < 1e-9 else (1 if value > 0 else -1)

    o1, o2 = orient(a1, a2, b1), orient(a1, a2, b2)
    o3, o4 = orient(b1, b2, a1), orient(b1, b2, a2)
    return o1 * o2 < 0 and o3 * o4 < 0


def rect_inside_outline(outline: list, x: float, y: float, w: float, h: float) -> bool:
    """The rectangle lies inside the hall's outline (corners inside, no edge crossing)."""
    corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    if not all(_point_in_polygon(cx, cy, outline) for cx, cy in corners):
        return False
    poly = [(float(p[0]), float(p[1])) for p in outline]
    for i in range(4):
        for j in range(len(poly)):
            if _edges_cross(corners[i], corners[(i + 1) % 4], poly[j], poly[(j + 1) % len(poly)]):
                return False
    return True


def rects_overlap(a: tuple, b: tuple) -> bool:
    """Two (x, y, w, h) rectangles share some area (touching sides do not)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    eps = 1e-9
    return ax < bx + bw - eps and bx < ax + aw - eps and ay < by + bh - eps and by < ay + ah - eps


def _clean_outline(outline) -> list[list[float]]:
    try:
        points = [[float(p[0]), float(p[1])] for p in outline]
    except (TypeError, ValueError, IndexError):
        raise ValidationError(
            {"outline": _("Give the outline as corners: x,y pairs, at least three.")}
        ) from None
    if len(points) < 3:
        raise ValidationError({"outline": _("An outline needs at least three corners.")})
    return points


def parse_outline(text: str) -> list[list[float]]:
    """``"0,0 60,0 60,40 0,40"`` (pairs separated by spaces or semicolons) as corners."""
    pairs = [p for p in text.replace(";", " ").split() if p]
    try:
        points = [[float(v) for v in pair.split(",")] for pair in pairs]
    except ValueError:
        raise ValidationError(
            {"outline": _("Give the outline as x,y pairs separated by spaces.")}
        ) from None
    if any(len(p) != 2 for p in points):
        raise ValidationError({"outline": _("Give the outline as x,y pairs separated by spaces.")})
    return _clean_outline(points)


@transaction.atomic
def hall_save(
    *,
    conference: Conference,
    code: str,
    name: str,
    outline,
    name_zh: str = "",
    opens_at: dt.time = dt.time(9),
    closes_at: dt.time = dt.time(18),
    site_x: float = 0,
    site_y: float = 0,
    hall: Hall | None = None,
    actor=None,
) -> Hall:
    """Create a hall, or change ``hall``; its booths must still fit the new outline."""
    points = _clean_outline(outline)
    hall = hall or Hall(conference=conference)
    hall.code, hall.name, hall.name_zh = code.strip(), name.strip(), name_zh.strip()
    hall.outline, hall.opens_at, hall.closes_at = points, opens_at, closes_at
    hall.site_x, hall.site_y = site_x, site_y
    hall.full_clean()
    if hall.pk:
        for booth in hall.booths.all():
            if not rect_inside_outline(points, booth.x, booth.y, booth.width, booth.height):
                raise ValidationError(
                    {
                        "outline": _("Booth %(code)s would be outside the new outline.")
                        % {"code": booth.code}
                    }
                )
    hall.save()
    log_action(actor=actor, action="exhibition.hall.saved", obj=hall, conference=conference)
    return hall


def _geometry_problem(hall: Hall, code: str, rect: tuple, others) -> str | None:
    """Why a booth at ``rect`` cannot stand in ``hall`` among ``others`` (code, rect), or None."""
    if not rect_inside_outline(hall.outline, *rect):
        return _("Booth %(code)s is outside the plan of hall %(hall)s.") % {
            "code": code,
            "hall": hall.code,
        }
    for other_code, other_rect in others:
        if other_code != code and rects_overlap(rect, other_rect):
            return _("Booth %(code)s overlaps booth %(other)s.") % {
                "code": code,
                "other": other_code,
            }
    return None


@transaction.atomic
def booth_save(
    *,
    hall: Hall,
    code: str,
    x: float,
    y: float,
    width: float,
    height: float,
    category: str = Booth.Category.STANDARD,
    price_usd: Decimal = Decimal(0),
    price_cny: Decimal = Decimal(0),
    walls: bool = True,
    power: bool = True,
    furniture: bool = False,
    staff_passes: int = 2,
    is_closed: bool = False,
    booth: Booth | None = None,
    actor=None,
) -> Booth:
    """Create a booth in ``hall`` (or change ``booth``): inside the outline, overlapping none."""
    Hall.objects.select_for_update().filter(pk=hall.pk).first()
    booth = booth or Booth(hall=hall)
    values = {
        "code": code.strip(),
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "category": category,
        "price_usd": price_usd,
        "price_cny": price_cny,
        "walls": walls,
        "power": power,
        "furniture": furniture,
        "staff_passes": staff_passes,
        "is_closed": is_closed,
    }
    for field, value in values.items():
        setattr(booth, field, value)
    booth.full_clean()
    others = [(b.code, (b.x, b.y, b.width, b.height)) for b in hall.booths.exclude(pk=booth.pk)]
    problem = _geometry_problem(hall, booth.code, (x, y, width, height), others)
    if problem:
        raise ValidationError({"x": problem})
    booth.save()
    log_action(actor=actor, action="exhibition.booth.saved", obj=booth, conference=hall.conference)
    return booth


@transaction.atomic
def feature_add(
    *,
    hall: Hall,
    kind: str,
    x: float,
    y: float,
    width: float = 0,
    height: float = 0,
    label: str = "",
    label_zh: str = "",
    actor=None,
) -> PlanFeature:
    feature = PlanFeature(
        hall=hall, kind=kind, x=x, y=y, width=width, height=height, label=label, label_zh=label_zh
    )
    feature.full_clean()
    if not _point_in_polygon(x, y, hall.outline):
        raise ValidationError({"x": _("The point is outside the hall's plan.")})
    feature.save()
    log_action(
        actor=actor, action="exhibition.feature.added", obj=feature, conference=hall.conference
    )
    return feature


PLAN_COLUMNS = (
    "hall",
    "code",
    "x",
    "y",
    "width",
    "depth",
    "category",
    "price_usd",
    "price_cny",
    "walls",
    "power",
    "furniture",
    "staff_passes",
)
PLAN_REQUIRED = ("hall", "code", "x", "y", "width", "depth")
_TRUE = {"1", "yes", "y", "true", "x", "是", "有"}
_FALSE = {"", "0", "no", "n", "false", "否", "无"}


def _number(row, column: str, result, *, minimum: float | None = None) -> float | None:
    text = row.get(column)
    try:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        result.add_error(
            row.number, column, _("“%(value)s” is not a number.") % {"value": text[:30]}
        )
        return None
    if minimum is not None and value < minimum:
        result.add_error(row.number, column, _("This cannot be below %(min)s.") % {"min": minimum})
        return None
    return value


def _decimal(row, column: str, result) -> Decimal | None:
    text = row.get(column) or "0"
    try:
        value = Decimal(text)
    except InvalidOperation:
        result.add_error(
            row.number, column, _("“%(value)s” is not an amount.") % {"value": text[:30]}
        )
        return None
    if value < 0:
        result.add_error(row.number, column, _("A price cannot be negative."))
        return None
    return value


def _flag(row, column: str, default: bool, result) -> bool:
    if column not in row.values:
        return default
    text = row.get(column).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    result.add_error(row.number, column, _("Write yes or no."))
    return default


def plan_import(
    *, conference: Conference, table: tabular.Table, dry_run: bool, actor=None
) -> tabular.ImportResult:
    """Booths from a spreadsheet (one row a booth; columns ``PLAN_COLUMNS``).

    A row names its hall by code; a booth code already in the hall is updated. Every row is
    checked against the hall's outline and against every other booth (those already on the
    plan and those in the file) before anything is written; an overlap or a booth off the
    plan names its row. All or nothing.
    """
    halls = {h.code: h for h in conference.halls.all()}

    def check(table, result):
        if not tabular.check_columns(table, result, required=PLAN_REQUIRED, known=PLAN_COLUMNS):
            return []
        planned = []
        placed: dict[int, dict[str, tuple]] = {}
        existing: dict[int, dict[str, Booth]] = {}
        for hall in halls.values():
            existing[hall.pk] = {b.code: b for b in hall.booths.all()}
            placed[hall.pk] = {
                code: (b.x, b.y, b.width, b.height) for code, b in existing[hall.pk].items()
            }
        seen = set()
        for row in table.rows:
            errors_before = len(result.errors)
            hall = halls.get(row.get("hall"))
            if hall is None:
                result.add_error(
                    row.number,
                    "hall",
                    _("There is no hall “%(code)s” in this edition.") % {"code": row.get("hall")},
                )
                continue
            code = row.get("code")
            if not code:
                result.add_error(row.number, "code", _("Give the booth a code."))
                continue
            if (hall.pk, code) in seen:
                result.add_error(
                    row.number, "code", _("Booth %(code)s is twice in the file.") % {"code": code}
                )
                continue
            seen.add((hall.pk, code))
            x = _number(row, "x", result)
            y = _number(row, "y", result)
            w = _number(row, "width", result, minimum=0.1)
            h = _number(row, "depth", result, minimum=0.1)
            category = row.get("category") or Booth.Category.STANDARD
            if category not in Booth.Category.values:
                result.add_error(
                    row.number,
                    "category",
                    _("Choose one of: %(choices)s.")
                    % {"choices": ", ".join(Booth.Category.values)},
                )
            price_usd = _decimal(row, "price_usd", result)
            price_cny = _decimal(row, "price_cny", result)
            passes = 2
            if row.get("staff_passes"):
                passes = _number(row, "staff_passes", result, minimum=0)
                passes = int(passes) if passes is not None else 2
            flags = {
                "walls": _flag(row, "walls", True, result),
                "power": _flag(row, "power", True, result),
                "furniture": _flag(row, "furniture", False, result),
            }
            if len(result.errors) > errors_before:
                continue
            rect = (x, y, w, h)
            others = [(c, r) for c, r in placed[hall.pk].items() if c != code]
            problem = _geometry_problem(hall, code, rect, others)
            if problem:
                result.add_error(
                    row.number,
                    "x",
                    _("Row %(row)s: %(problem)s") % {"row": row.number, "problem": problem},
                )
                continue
            placed[hall.pk][code] = rect
            booth = existing[hall.pk].get(code)
            if booth is None:
                result.created += 1
            else:
                result.updated += 1
            planned.append(
                (
                    hall,
                    booth,
                    {
                        "code": code,
                        "x": x,
                        "y": y,
                        "width": w,
                        "height": h,
                        "category": category,
                        "price_usd": price_usd,
                        "price_cny": price_cny,
                        "staff_passes": passes,
                        **flags,
                    },
                )
            )
        return planned

    def save(planned, result):
        for hall, booth, values in planned:
            booth = booth or Booth(hall=hall)
            for field, value in values.items():
                setattr(booth, field, value)
            booth.full_clean()
            booth.save()
        log_action(
            actor=actor,
            action="exhibition.plan.imported",
            obj=conference,
            conference=conference,
            data={"created": result.created, "updated": result.updated},
        )

    return tabular.run_import(table=table, dry_run=dry_run, check=check, save=save)
