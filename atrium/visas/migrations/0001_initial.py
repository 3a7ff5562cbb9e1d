"""The models of ``visas`` arrive from ``registration`` with their rows: the state is
created on the existing tables, which are then renamed to this app's names."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from functools import partial

from django.db import migrations, models


def move_content_types(apps, schema_editor, *, models, source, target):
    """Keep permissions and audit entries: the content types change app, not id."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in models:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('events', '0003_conference_badge_layout'),
        ('registration', '0011_move_out_checkin_and_visas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='VisaLetterRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('requested', 'Waiting for review'), ('needs_correction', 'Correction needed'), ('approved', 'Letter issued'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], db_index=True, default='requested', max_length=20, verbose_name='status')),
                        ('passport_data', models.TextField(blank=True, editable=False, help_text='Encrypted; empty once removed after the conference.', verbose_name='passport data (encrypted)')),
                        ('entry_date', models.DateField(verbose_name='intended entry')),
                        ('exit_date', models.DateField(verbose_name='intended exit')),
                        ('consulate_city', models.CharField(max_length=100, verbose_name='consulate city')),
                        ('letter_sequence', models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='letter sequence')),
                        ('letter_number', models.CharField(blank=True, editable=False, max_length=40, verbose_name='letter number')),
                        ('note', models.TextField(blank=True, help_text='What to correct, or why the request was refused; the delegate sees it.', verbose_name="organisers' note")),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                        ('submitted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='submitted')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('purged_at', models.DateTimeField(blank=True, null=True, verbose_name='passport data removed')),
                        ('conference', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visa_requests', to='events.conference', verbose_name='conference')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                        ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visa_requests', to='registration.registration', verbose_name='registration')),
                    ],
                    options={
                        'db_table': 'registration_visaletterrequest',
                        'verbose_name': 'visa letter request',
                        'verbose_name_plural': 'visa letter requests',
                        'ordering': ['-submitted_at', '-id'],
                        'indexes': [models.Index(fields=['conference', 'status'], name='registratio_confere_c46e56_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['requested', 'needs_correction', 'approved'])), fields=('registration',), name='one_open_visa_request_per_registration'), models.UniqueConstraint(fields=('conference', 'letter_sequence'), name='visa_letter_sequence_unique'), models.UniqueConstraint(condition=models.Q(('letter_number', ''), _negated=True), fields=('conference', 'letter_number'), name='visa_letter_number_unique'), models.CheckConstraint(condition=models.Q(('exit_date__gt', models.F('entry_date'))), name='visa_entry_before_exit')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='visaletterrequest', table=None),
        migrations.RenameIndex(model_name='visaletterrequest', new_name='visas_visal_confere_a525b7_idx', old_name='registratio_confere_c46e56_idx'),
        migrations.RunPython(
            partial(move_content_types, models=['visaletterrequest'], source='registration', target='visas'),
            partial(move_content_types, models=['visaletterrequest'], source='visas', target='registration'),
        ),
    ]
