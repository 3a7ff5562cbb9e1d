"""Badges, check-ins and print runs move to the app ``checkin``, visa letter requests to
``visas``. Here they only leave registration's model state: their tables stay, and the
new apps' first migrations take them over and rename them (no row is copied or lost)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registration', '0010_private_stamps'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.RemoveField(
            model_name='checkin',
            name='badge',
        ),
        migrations.RemoveField(
            model_name='badgeprintrun',
            name='conference',
        ),
        migrations.RemoveField(
            model_name='badgeprintrun',
            name='created_by',
        ),
        migrations.RemoveField(
            model_name='checkin',
            name='actor',
        ),
        migrations.RemoveField(
            model_name='checkin',
            name='conference',
        ),
        migrations.RemoveField(
            model_name='checkin',
            name='registration',
        ),
        migrations.RemoveField(
            model_name='checkin',
            name='session',
        ),
        migrations.RemoveField(
            model_name='visaletterrequest',
            name='conference',
        ),
        migrations.RemoveField(
            model_name='visaletterrequest',
            name='decided_by',
        ),
        migrations.RemoveField(
            model_name='visaletterrequest',
            name='registration',
        ),
        migrations.DeleteModel(
            name='Badge',
        ),
        migrations.DeleteModel(
            name='BadgePrintRun',
        ),
        migrations.DeleteModel(
            name='CheckIn',
        ),
        migrations.DeleteModel(
            name='VisaLetterRequest',
        ),
            ],
            database_operations=[],
        ),
    ]
