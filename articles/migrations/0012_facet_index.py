"""
The facet index (articles/facets.py): each published article's tokens and
position beside its coverage, publication times kept to the second, and the
database's inverted index over the tokens: an FTS5 table kept by triggers on
SQLite; on PostgreSQL a generated array column with a GIN index, and the
posting lists in a table kept by a trigger. PostgreSQL refuses to change the
type of a column a generated column reads: a later migration altering
`facets` must drop facet_tokens first and add it back after.
"""

from django.db import migrations, models
from django.db.models.functions import TruncSecond

import articles.models
from articles import facets


def publication_to_the_second(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    (Article.objects.filter(published_at__isnull=False)
     .exclude(published_at=TruncSecond("published_at")).update(published_at=TruncSecond("published_at")))


def index_existing_articles(apps, schema_editor):
    # Every published article's contribution again: unchanged but for its
    # new facets and position. (The current code, on the schema of this
    # migration, as 0011 did.)
    from articles import coverage

    coverage.refresh(apps.get_model("articles", "ArticleCoverage").objects.values_list("article_id", flat=True))


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for sql in (facets.SQLITE_TABLE, *facets.SQLITE_TRIGGERS.values(), *facets.SQLITE_REBUILD):
            schema_editor.execute(sql)
    elif connection.vendor == "postgresql":
        for sql in (*facets.POSTGRESQL_SQL, *facets.POSTGRESQL_POSTINGS, *facets.POSTGRESQL_POSTINGS_REBUILD):
            schema_editor.execute(sql, params=None)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in facets.SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {facets.FTS_TABLE}")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {facets.POSTINGS}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {facets.POSTINGS}_sync() CASCADE")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {facets.POSTINGS}_truncate() CASCADE")
        schema_editor.execute(f"ALTER TABLE articles_articlecoverage DROP COLUMN IF EXISTS {facets.POSTGRESQL_COLUMN}")


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0011_coverage"),
    ]

    operations = [
        migrations.RunPython(publication_to_the_second, migrations.RunPython.noop),
        migrations.AddField(
            model_name="articlecoverage",
            name="facets",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="articlecoverage",
            name="position",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(index_existing_articles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="articlecoverage",
            name="position",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AddIndex(
            model_name="articlecoverage",
            index=models.Index(fields=["live_from", "position"], name="article_coverage_live_idx"),
        ),
        migrations.RunPython(create_index, drop_index),
        # The facet index's check of a candidate's mentions, from the index alone.
        migrations.RemoveIndex(model_name="datemention", name="date_mention_article_idx"),
        migrations.AddIndex(
            model_name="datemention",
            index=models.Index(fields=["article", "state", "date_from", "date_to"],
                               name="date_mention_article_idx"),
        ),
        migrations.AlterField(
            model_name="article",
            name="published_at",
            field=models.DateTimeField(
                blank=True, null=True, validators=[articles.models.validate_publication_time],
                help_text="Publication time; in the future, the article is scheduled."),
        ),
        migrations.AlterField(
            model_name="historicalarticle",
            name="published_at",
            field=models.DateTimeField(
                blank=True, null=True, validators=[articles.models.validate_publication_time],
                help_text="Publication time; in the future, the article is scheduled."),
        ),
    ]
