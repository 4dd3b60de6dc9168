from django.db import migrations, models

from inscope.lib.append_only import reinstall


class Migration(migrations.Migration):

    dependencies = [
        ('competencies', '0002_append_only_triggers'),
    ]

    operations = [
        migrations.AddField(
            model_name='grant',
            name='conditions',
            field=models.JSONField(blank=True, default=dict),
        ),
        reinstall("competencies_grant"),  # SQLite rebuilt the table without them
    ]
