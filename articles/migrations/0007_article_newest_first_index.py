"""
PostgreSQL: an index in the API's order, newest first with unpublished
articles (no publication time) last: `published_at DESC NULLS LAST, id DESC`.
Without it PostgreSQL sorts every live article to return a page of 20
(its default for DESC is NULLS FIRST, so article_pub_desc_idx does not serve
the order). SQLite needs nothing: NULLs sort last under DESC there already,
and article_status_pub_idx (whose rows end with the rowid) serves the order;
its CREATE INDEX does not accept NULLS LAST either, hence raw SQL here.
"""

from django.db import migrations

INDEX = "article_live_newest_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article "
            "(status, published_at DESC NULLS LAST, id DESC)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_tagging")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
