from django.db import migrations

from inscope.lib.append_only import install


class Migration(migrations.Migration):
    dependencies = [("equipment", "0001_initial")]
    operations = [install("equipment_unitevent")]
