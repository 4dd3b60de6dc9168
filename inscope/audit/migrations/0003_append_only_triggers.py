from django.db import migrations

from inscope.lib.append_only import install


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [install("audit_auditevent")]
