"""
PostgreSQL: store the weighted search document instead of recomputing it.

Migration 0005 indexed the expression, so the index found the matches but
ranking them (ts_rank) parsed the 2-5k characters of every matching body
again. The document is now a generated, stored column with its own GIN
index, and 0005's expression index, which served only that expression, is
dropped. The model does not declare the column (SQLite has none; its FTS5
table holds the document there): articles.search.SearchDocument reads it.
Nothing happens on SQLite.

Adding the column rewrites the table under an exclusive lock (about 50 s
for 30,000 articles). PostgreSQL refuses to change the type of a column a
generated column reads: a later migration altering headline, standfirst or
body there must drop search_document first and add it back after (this
migration's backwards and forwards, in that order).
"""

from django.db import migrations

COLUMN = "search_document"
INDEX = "articles_article_search_document_idx"
OLD_INDEX = "articles_article_search_idx"
# The expression of 0005's index, verbatim (ranking weights A, B, C unchanged).
DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(headline, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(standfirst, '')), 'B')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(body, '')), 'C')"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article USING gin ({COLUMN})"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON articles_article USING gin (({DOCUMENT}))"
    )
    schema_editor.execute(f"ALTER TABLE articles_article DROP COLUMN IF EXISTS {COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_article_newest_first_index")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
