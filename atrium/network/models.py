"""The member network: organisations, people, sectors."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from atrium.core.i18n import bilingual, other_script_name
from atrium.core.search import build_search_key


class SearchableModel(models.Model):
    """A row with a stored, Chinese-aware ``search_key`` (see ``atrium.core.search``)."""

    search_key = models.TextField(editable=False, default="", db_index=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refresh_search_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_key" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_key"]
        super().save(*args, **kwargs)

    def search_texts(self) -> list[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def refresh_search_key(self) -> None:
        self.search_key = build_search_key(*self.search_texts())


class Sector(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("name in Chinese"), max_length=100, blank=True)

    name_i18n = bilingual("name")

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class Organisation(SearchableModel):
    class Kind(models.TextChoices):
        SCIENCE_PARK = "science_park", _("Science park")
        AREA_OF_INNOVATION = "area_of_innovation", _("Area of innovation")
        INCUBATOR = "incubator", _("Incubator")
        COMPANY = "company", _("Company")
        UNIVERSITY = "university", _("University")
        RESEARCH_INSTITUTE = "research_institute", _("Research institute")
        GOVERNMENT = "government", _("Government")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    country = CountryField(_("country"), blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    city_zh = models.CharField(_("city in Chinese"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description in Chinese"), blank=True)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="organisations"
    )
    member_since = models.PositiveSmallIntegerField(
        _("member since"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Year the organisation joined the association; empty if not a member."),
    )
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Generated demo data, not a real organisation."),
    )
    added_by_delegate = models.BooleanField(
        _("added by a delegate"),
        default=False,
        db_index=True,
        help_text=_(
            "Named by a delegate on the registration form (not listed yet): check the name, "
            "complete the details, then clear this box."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    name_i18n = bilingual("name")
    city_i18n = bilingual("city")
    description_i18n = bilingual("description")

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "country"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:organisation", kwargs={"slug": self.slug})

    @property
    def is_member(self) -> bool:
        return self.member_since is not None

    @property
    def other_name(self) -> str:
        return other_script_name(self.name, self.name_zh)

    def search_texts(self) -> list[str]:
        return [self.name, self.name_zh, self.short_name, self.city, self.city_zh]


def person_photo_path(person: Person, filename: str) -> str:
    """A name nobody can guess, under the private part of the media folder.

    Photos are never linked from ``MEDIA_URL``: ``network:person-photo`` streams them to
    those allowed to see them (``atrium.network.photos.can_see_photo``).
    """
    return f"private/photos/{uuid.uuid4().hex}.jpg"


class Person(SearchableModel):
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("In Latin script, in the order the person uses (Ma Jun, Cecile Harle)."),
    )
    name_zh = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    sort_name = models.CharField(
        _("sort name"), max_length=200, blank=True, help_text=_("Family name first; for sorting.")
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    position_zh = models.CharField(_("position in Chinese"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    country = CountryField(_("country"), blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    bio_zh = models.TextField(_("biography in Chinese"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    directory_opt_in = models.BooleanField(
        _("listed in the directory"),
        default=False,
        help_text=_("The person agreed to appear in the public directory."),
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    photo = models.ImageField(
        _("photo for check-in"),
        upload_to=person_photo_path,
        blank=True,
        max_length=200,
        help_text=_(
            "A square portrait shown to check-in staff; seen only by the person, "
            "organisers and check-in staff of editions they registered for."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    name_i18n = bilingual("name")
    position_i18n = bilingual("position")
    bio_i18n = bilingual("bio")

    class Meta:
        ordering = ["sort_name", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name} ({self.name_zh})" if self.name_zh else self.name

    def save(self, *args, **kwargs):
        if not self.sort_name:
            self.sort_name = self.name
        super().save(*args, **kwargs)

    @property
    def contact_email(self) -> str:
        """Where mail to the person goes: their own address, else their account's.

        The same rule in SQL is ``contact_email_expression``; both live here, side by side.
        """
        if self.email:
            return self.email
        return self.user.email if self.user_id else ""

    @staticmethod
    def contact_email_expression(path: str = "") -> models.Case:
        """``contact_email`` as an SQL expression; ``path`` leads from the queried model to the
        person (``"registration__person__"``; empty on Person itself)."""
        return models.Case(
            models.When(~models.Q(**{f"{path}email": ""}), then=models.F(f"{path}email")),
            default=Coalesce(models.F(f"{path}user__email"), models.Value("")),
            output_field=models.CharField(),
        )

    @property
    def other_name(self) -> str:
        return other_script_name(self.name, self.name_zh)

    def search_texts(self) -> list[str]:
        return [self.name, self.name_zh]

    @property
    def photo_url(self) -> str:
        """The private address of the photo ("" without one); changes when the photo does."""
        if not self.photo:
            return ""
        version = PurePosixPath(self.photo.name).stem[:12]
        return reverse("network:person-photo", kwargs={"slug": self.slug}) + f"?v={version}"
