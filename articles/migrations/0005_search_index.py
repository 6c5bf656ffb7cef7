"""
The full-text index of articles (see articles/search.py), per database:
SQLite gets an external-content FTS5 table kept in sync by triggers,
PostgreSQL a GIN index on the weighted tsvector expression the search
queries repeat. Each operation does nothing on the other database.
"""

from django.db import migrations


class RunSQLOn(migrations.RunSQL):
    """RunSQL on one database vendor only."""

    def __init__(self, vendor, *args, **kwargs):
        self.vendor = vendor
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


SQLITE_FORWARDS = [
    """
    CREATE VIRTUAL TABLE articles_article_fts USING fts5(
        headline, standfirst, body,
        content='articles_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER articles_article_fts_ai AFTER INSERT ON articles_article
    BEGIN
        INSERT INTO articles_article_fts(rowid, headline, standfirst, body)
        VALUES (new.id, new.headline, new.standfirst, new.body);
    END
    """,
    """
    CREATE TRIGGER articles_article_fts_ad AFTER DELETE ON articles_article
    BEGIN
        INSERT INTO articles_article_fts(articles_article_fts, rowid, headline, standfirst, body)
        VALUES ('delete', old.id, old.headline, old.standfirst, old.body);
    END
    """,
    """
    CREATE TRIGGER articles_article_fts_au
    AFTER UPDATE OF headline, standfirst, body ON articles_article
    BEGIN
        INSERT INTO articles_article_fts(articles_article_fts, rowid, headline, standfirst, body)
        VALUES ('delete', old.id, old.headline, old.standfirst, old.body);
        INSERT INTO articles_article_fts(rowid, headline, standfirst, body)
        VALUES (new.id, new.headline, new.standfirst, new.body);
    END
    """,
    "INSERT INTO articles_article_fts(articles_article_fts) VALUES ('rebuild')",
]

SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS articles_article_fts_au",
    "DROP TRIGGER IF EXISTS articles_article_fts_ad",
    "DROP TRIGGER IF EXISTS articles_article_fts_ai",
    "DROP TABLE IF EXISTS articles_article_fts",
]

# Must stay the expression articles.search.search_vector() compiles to.
POSTGRESQL_FORWARDS = [
    """
    CREATE INDEX articles_article_search_idx ON articles_article USING gin ((
        setweight(to_tsvector('english'::regconfig, COALESCE(headline, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(standfirst, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, COALESCE(body, '')), 'C')
    ))
    """,
]

POSTGRESQL_BACKWARDS = ["DROP INDEX IF EXISTS articles_article_search_idx"]


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_workflow_groups")]

    operations = [
        RunSQLOn("sqlite", SQLITE_FORWARDS, SQLITE_BACKWARDS),
        RunSQLOn("postgresql", POSTGRESQL_FORWARDS, POSTGRESQL_BACKWARDS),
    ]
