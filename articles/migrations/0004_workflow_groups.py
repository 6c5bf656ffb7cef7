from django.db import migrations


def sync(apps, schema_editor):
    from articles.roles import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_workflow")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
