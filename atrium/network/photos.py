"""A person's photo for check-in: private, checked, normalised, and shown only to a few.

- ``photo_validate`` reads an upload by its content (JPEG, PNG or WebP, whatever its name
  says), at most ``MAX_BYTES`` (and ``ATRIUM_UPLOAD_MAX_SIZE``), at least ``MIN_SIDE``
  pixels each way.
- ``person_photo_set`` stores it normalised (turned upright from its EXIF orientation,
  the centre square, ``SIDE`` × ``SIDE`` JPEG without metadata) under a random name;
  the old file is deleted once the transaction has committed.
- ``person_photo_remove`` removes it.
- ``can_see_photo`` says who may see it: the person, staff who may change people, and
  organisers and check-in staff of an edition the person has an active registration
  for, until ``ATRIUM_PHOTO_VISIBLE_DAYS`` days after its last day.
"""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from atrium.core.audit import log_action
from atrium.core.uploads import check_upload_size, too_large_message, upload_limit
from atrium.network.models import Person

MAX_BYTES = 5 * 1024 * 1024
MIN_SIDE = 200
SIDE = 400
QUALITY = 85
#: Formats accepted, as Pillow names them.
FORMATS = {"JPEG", "PNG", "WEBP"}
#: Larger pictures are refused before they are decoded (a small file can hide a huge one).
MAX_PIXELS = 50_000_000


def _read(upload) -> bytes:
    check_upload_size(upload, limit=MAX_BYTES, field="photo")
    limit = upload_limit(MAX_BYTES)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"photo": too_large_message(limit=limit)})
    if not data:
        raise ValidationError({"photo": _("The file is empty.")})
    return data


def _open(data: bytes) -> Image.Image:
    not_an_image = ValidationError(
        {"photo": _("This is not a picture Atrium can read: upload a JPEG, PNG or WebP image.")}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise not_an_image
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    {"photo": _("The picture has too many pixels; make it smaller.")}
                )
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise not_an_image from error
    return image


def photo_validate(upload) -> Image.Image:
    """The decoded picture of ``upload``; ValidationError naming ``photo`` if unfit."""
    image = _open(_read(upload))
    width, height = image.size
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ValidationError(
            {
                "photo": _(
                    "The photo must be at least %(min)s × %(min)s pixels; "
                    "this one is %(width)s × %(height)s."
                )
                % {"min": MIN_SIDE, "width": width, "height": height}
            }
        )
    return image


def photo_normalise(image: Image.Image) -> bytes:
    """Upright, centre square, ``SIDE`` × ``SIDE``, JPEG, without EXIF or other metadata."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image = ImageOps.fit(image, (SIDE, SIDE), method=Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh image, saved without exif/icc/comment arguments: no metadata survives.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def _delete_later(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def person_photo_set(*, person: Person, upload, actor) -> Person:
    """Check ``upload``, store it normalised as ``person``'s photo, replacing any old one."""
    content = photo_normalise(photo_validate(upload))
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        old_name = locked.photo.name
        locked.photo.save("photo.jpg", ContentFile(content), save=False)
        try:
            locked.full_clean(
                exclude=[f.name for f in Person._meta.concrete_fields if f.name != "photo"],
                validate_unique=False,
                validate_constraints=False,
            )
            locked.save(update_fields=["photo", "updated"])
            log_action(
                actor=actor,
                action="person.photo_set",
                obj=locked,
                data={"by_self": bool(actor is not None and actor.pk == locked.user_id)},
            )
        except BaseException:
            locked.photo.storage.delete(locked.photo.name)
            raise
        _delete_later(locked.photo.storage, old_name)
    person.photo = locked.photo
    person.updated = locked.updated
    return person


@transaction.atomic
def person_photo_remove(*, person: Person, actor) -> Person:
    """Remove ``person``'s photo (the file goes once the transaction has committed)."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    old_name = locked.photo.name
    if old_name:
        storage = locked.photo.storage
        locked.photo = ""
        locked.save(update_fields=["photo", "updated"])
        log_action(
            actor=actor,
            action="person.photo_removed",
            obj=locked,
            data={"by_self": bool(actor is not None and actor.pk == locked.user_id)},
        )
        _delete_later(storage, old_name)
    person.photo = locked.photo
    return person


def can_see_photo(user, person: Person) -> bool:
    """The person, staff who may change people, and whoever a receiver of
    ``hooks.photo_viewers`` allows (check-in: organisers and check-in staff of an edition
    the person is actively registered for, until a while after it ends)."""
    from atrium.network.hooks import photo_viewers

    if not user or not user.is_authenticated or not user.is_active:
        return False
    if person.user_id is not None and person.user_id == user.pk:
        return True
    if user.is_staff and user.has_perm("network.change_person"):
        return True
    return any(photo_viewers.send(user=user, person=person))
