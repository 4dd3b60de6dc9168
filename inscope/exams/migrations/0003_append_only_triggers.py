from django.db import migrations

from inscope.lib.append_only import install


class Migration(migrations.Migration):
    dependencies = [("exams", "0002_initial")]
    operations = [install("exams_examevent"), install("exams_checklistrecord"), install("exams_exposure")]
