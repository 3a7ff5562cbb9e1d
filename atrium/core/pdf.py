"""PDF documents with a CJK-capable embedded font (badges, letters, receipts, certificates).

One place knows where the font is: Noto Sans CJK SC from Debian's ``fonts-noto-cjk``
(installed by ``scripts/system-deps.sh``), or the file in ``ATRIUM_PDF_FONT``. The face is
registered as the family ``"cjk"`` (regular only: the Noto collection's bold is a
separate file, so headings are set larger rather than bold).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#: In Noto Sans CJK collections: 0 JP, 1 KR, 2 SC (Simplified Chinese), 3 TC, 4 HK.
DEFAULT_FONT_INDEX = 2
FAMILY = "cjk"


def font_path() -> Path:
    path = Path(getattr(settings, "ATRIUM_PDF_FONT", DEFAULT_FONT))
    if not path.is_file():
        raise ImproperlyConfigured(
            f"The PDF font {path} is missing. Install it with scripts/system-deps.sh "
            "(Debian package fonts-noto-cjk) or set ATRIUM_PDF_FONT to a CJK TrueType/OpenType "
            "font file."
        )
    return path


def new_document(*, format="A4", orientation: str = "P", title: str = ""):
    """An ``fpdf.FPDF`` in millimetres with the CJK font registered as ``"cjk"`` and selected."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format=format)
    font = font_path()
    index = getattr(settings, "ATRIUM_PDF_FONT_INDEX", DEFAULT_FONT_INDEX)
    kwargs = {"collection_font_number": index} if font.suffix.lower() == ".ttc" else {}
    pdf.add_font(FAMILY, "", str(font), **kwargs)
    pdf.set_font(FAMILY, size=10)
    pdf.set_creator("Atrium")
    if title:
        pdf.set_title(title)
    return pdf
