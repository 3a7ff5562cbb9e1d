"""The models of ``checkin`` arrive from ``registration`` with their rows: the state is
created on the existing tables, which are then renamed to this app's names."""

import atrium.checkin.models
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
                    name='Badge',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(default=atrium.checkin.models.new_badge_key, max_length=16, unique=True, verbose_name='key')),
                        ('issued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='issued')),
                        ('printed_at', models.DateTimeField(blank=True, null=True, verbose_name='printed')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='badges', to='registration.registration', verbose_name='registration')),
                    ],
                    options={
                        'db_table': 'registration_badge',
                        'verbose_name': 'badge',
                        'verbose_name_plural': 'badges',
                        'ordering': ['-issued_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='BadgePrintRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('description', models.CharField(blank=True, max_length=300, verbose_name='selection')),
                        ('filters', models.JSONField(blank=True, default=dict, help_text='The filter of the badges page: type, delegation, printed.', verbose_name='filters')),
                        ('layout', models.CharField(choices=[('a6', 'A6 portrait'), ('label4x3', '4×3 inch label')], max_length=10, verbose_name='layout')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=20, verbose_name='status')),
                        ('total', models.PositiveIntegerField(default=0, verbose_name='badges')),
                        ('done_count', models.PositiveIntegerField(default=0, verbose_name='badges done')),
                        ('file', models.FileField(blank=True, upload_to=atrium.checkin.models.badge_run_path, verbose_name='PDF')),
                        ('created', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='started')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='running since')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('conference', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='badge_print_runs', to='events.conference', verbose_name='conference')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
                    ],
                    options={
                        'db_table': 'registration_badgeprintrun',
                        'verbose_name': 'badge print run',
                        'verbose_name_plural': 'badge print runs',
                        'ordering': ['-created', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CheckIn',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField(unique=True, verbose_name='client id')),
                        ('created', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='checked in')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked in by')),
                        ('badge', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='checkins', to='checkin.badge', verbose_name='badge')),
                        ('conference', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkins', to='events.conference', verbose_name='conference')),
                        ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkins', to='registration.registration', verbose_name='registration')),
                        ('session', models.ForeignKey(blank=True, help_text='Empty: the main entrance.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='checkins', to='events.session', verbose_name='session')),
                    ],
                    options={
                        'db_table': 'registration_checkin',
                        'verbose_name': 'check-in',
                        'verbose_name_plural': 'check-ins',
                        'ordering': ['-created', '-id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='badge',
                    constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('registration',), name='one_valid_badge_per_registration'),
                ),
                migrations.AddIndex(
                    model_name='checkin',
                    index=models.Index(fields=['conference', 'created'], name='registratio_confere_48630e_idx'),
                ),
            ],
        ),
        migrations.AlterModelTable(name='badge', table=None),
        migrations.AlterModelTable(name='badgeprintrun', table=None),
        migrations.AlterModelTable(name='checkin', table=None),
        migrations.RenameIndex(model_name='checkin', new_name='checkin_che_confere_16074c_idx', old_name='registratio_confere_48630e_idx'),
        migrations.RunPython(
            partial(move_content_types, models=['badge', 'badgeprintrun', 'checkin'], source='registration', target='checkin'),
            partial(move_content_types, models=['badge', 'badgeprintrun', 'checkin'], source='checkin', target='registration'),
        ),
    ]
