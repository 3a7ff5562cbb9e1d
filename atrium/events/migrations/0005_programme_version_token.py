import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def one_per_conference(apps, schema_editor):
    Conference = apps.get_model("events", "Conference")
    ProgrammeVersion = apps.get_model("events", "ProgrammeVersion")
    ProgrammeVersion.objects.bulk_create(
        ProgrammeVersion(conference_id=pk, token=uuid.uuid4().hex)
        for pk in Conference.objects.values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_agendastar"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProgrammeVersion",
            fields=[
                (
                    "conference",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="programme_version",
                        serialize=False,
                        to="events.conference",
                        verbose_name="conference",
                    ),
                ),
                ("token", models.CharField(max_length=32, verbose_name="token")),
                (
                    "changed",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed"),
                ),
            ],
            options={
                "verbose_name": "programme version",
                "verbose_name_plural": "programme versions",
            },
        ),
        migrations.RunPython(one_per_conference, migrations.RunPython.noop),
    ]
