from django.db import migrations

from inscope.lib.append_only import install


class Migration(migrations.Migration):
    dependencies = [("competencies", "0001_competencies")]
    operations = [
        install("competencies_evidence"),
        install("competencies_signoff"),
        install("competencies_grant"),
        install("competencies_trainingrecord"),
        install("competencies_cpdentry"),
    ]
