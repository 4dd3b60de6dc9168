# The study instance UID the modality worklist hands out, given to every existing examination.

from django.db import migrations, models

import inscope.lib.uids


def give_each_examination_a_uid(apps, schema_editor):
    Examination = apps.get_model("exams", "Examination")
    for exam in Examination.objects.filter(study_instance_uid__isnull=True).only("pk").iterator():
        Examination.objects.filter(pk=exam.pk).update(study_instance_uid=inscope.lib.uids.new_uid())


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0004_record_supervision_and_practice"),
    ]

    operations = [
        migrations.AddField(
            model_name="examination",
            name="study_instance_uid",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(give_each_examination_a_uid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="examination",
            name="study_instance_uid",
            field=models.CharField(default=inscope.lib.uids.new_uid, max_length=64, unique=True),
        ),
        migrations.AddIndex(
            model_name="examination",
            index=models.Index(fields=["room", "scheduled_at"], name="exams_exam_room_day_idx"),
        ),
    ]
