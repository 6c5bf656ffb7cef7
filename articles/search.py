"""
Full-text search over headline, standfirst and body, through an index.

SQLite: an external-content FTS5 table, articles_article_fts, kept in sync
with articles_article by triggers (migration 0005). PostgreSQL: a GIN
expression index on the weighted tsvector below (same migration); the query
repeats the indexed expression exactly so that the planner uses it.

The user's text never reaches either query language as syntax: it is cut
into words and "quoted phrases" made of word characters only, each quoted,
all required. A query without a single word matches nothing.
"""

import re

from django.contrib.postgres.search import SearchConfig, SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F, FloatField, Func, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_migrate
from django.utils.html import escape
from django.utils.safestring import mark_safe

FTS_TABLE = "articles_article_fts"
CONFIG = "english"
START, STOP = "\ue000", "\ue001"  # private-use marks, replaced by <mark> after escaping
WORD = re.compile(r"\w+")
# Relative weights of headline, standfirst and body (FTS5 bm25, PostgreSQL setweight).
FTS5_WEIGHTS = (10.0, 4.0, 1.0)


def parse(q: str) -> list[str]:
    """The terms of a query: phrases and words, each made of word characters
    and single spaces only. Quotes group words into a phrase."""
    terms = []
    for i, part in enumerate((q or "").split('"')):
        words = WORD.findall(part)
        if i % 2:  # inside quotes
            if words:
                terms.append(" ".join(words))
        else:
            terms.extend(words)
    return terms[:32]


def quoted(terms: list[str]) -> str:
    return " ".join(f'"{term}"' for term in terms)


def vendor(queryset) -> str:
    return connections[queryset.db].vendor


def search_articles(queryset, q: str):
    """`queryset` filtered to the articles matching `q`, annotated with
    `rank` (higher is better) and ordered by it, newest first among equals."""
    terms = parse(q)
    if not terms:
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    if vendor(queryset) == "postgresql":
        query = SearchQuery(quoted(terms), search_type="websearch", config=CONFIG)
        queryset = (
            queryset.annotate(search_document=search_vector())
            .filter(search_document=query)
            .annotate(rank=SearchRank(search_vector(), query))
        )
    else:
        match = quoted(terms)
        queryset = queryset.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (match,))
        ).annotate(rank=Fts5Rank(Value(match), F("pk")))
    return queryset.order_by("-rank", "-published_at", "-pk")


def search_vector():
    """The indexed document (PostgreSQL); must stay identical to the index
    expression of migration 0005."""
    return (
        SearchVector("headline", weight="A", config=CONFIG)
        + SearchVector("standfirst", weight="B", config=CONFIG)
        + SearchVector("body", weight="C", config=CONFIG)
    )


class Fts5Rank(Func):
    """-bm25 of the row whose rowid is the second argument (SQLite): a
    correlated full-text query, evaluated for matching rows only."""

    template = (
        f"(SELECT -bm25({FTS_TABLE}, {', '.join(map(str, FTS5_WEIGHTS))}) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %(expressions)s)"
    )
    arg_joiner = f" AND {FTS_TABLE}.rowid = "
    output_field = FloatField()


class Headline(Func):
    """ts_headline with our marks (PostgreSQL)."""

    function = "ts_headline"
    output_field = TextField()
    options = (f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, "
               'MaxFragments=2, FragmentDelimiter=" … "')

    def __init__(self, field, query):
        super().__init__(SearchConfig(CONFIG), F(field), query, Value(self.options))


def snippets(articles, q: str) -> dict:
    """{pk: safe HTML excerpt} for `articles`: the words matching `q` in
    <mark>, everything else escaped. From the body, or the standfirst when
    only it matches. One query."""
    pks = [a.pk for a in articles]
    terms = parse(q)
    if not pks:
        return {}
    from .models import Article

    db = getattr(articles, "db", "default")
    if not terms:
        rows = Article.objects.using(db).filter(pk__in=pks).values_list("pk", "body", "standfirst")
        return {pk: mark_safe(escape(_shorten(body or standfirst))) for pk, body, standfirst in rows}
    if connections[db].vendor == "postgresql":
        query = SearchQuery(quoted(terms), search_type="websearch", config=CONFIG)
        rows = (
            Article.objects.using(db).filter(pk__in=pks)
            .annotate(b=Headline("body", query), s=Headline("standfirst", query))
            .values_list("pk", "b", "s")
        )
    else:
        placeholders = ", ".join("%s" for _ in pks)
        sql = (
            f"SELECT rowid, snippet({FTS_TABLE}, 2, %s, %s, '…', 32), "
            f"snippet({FTS_TABLE}, 1, %s, %s, '…', 32) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
        )
        with connections[db].cursor() as cursor:
            cursor.execute(sql, [START, STOP, START, STOP, quoted(terms), *pks])
            rows = cursor.fetchall()
    result = {}
    for pk, body, standfirst in rows:
        body, standfirst = body or "", standfirst or ""
        text = body if START in body or START not in standfirst else standfirst
        result[pk] = highlight(text)
    return result


def _shorten(text: str, words: int = 35) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


MARKED = re.compile(f"{START}(.*?){STOP}", re.S)


def highlight(text: str) -> str:
    """Escape `text`, then turn the marked spans into <mark> elements."""
    html = escape(" ".join(text.split()))
    html = MARKED.sub(r"<mark>\1</mark>", html)
    return mark_safe(html.replace(START, "").replace(STOP, ""))


# --- Keeping the SQLite index alive ------------------------------------------

SQLITE_TRIGGERS = {
    "articles_article_fts_ai": f"""
        CREATE TRIGGER IF NOT EXISTS articles_article_fts_ai AFTER INSERT ON articles_article
        BEGIN
            INSERT INTO {FTS_TABLE}(rowid, headline, standfirst, body)
            VALUES (new.id, new.headline, new.standfirst, new.body);
        END""",
    "articles_article_fts_ad": f"""
        CREATE TRIGGER IF NOT EXISTS articles_article_fts_ad AFTER DELETE ON articles_article
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, headline, standfirst, body)
            VALUES ('delete', old.id, old.headline, old.standfirst, old.body);
        END""",
    "articles_article_fts_au": f"""
        CREATE TRIGGER IF NOT EXISTS articles_article_fts_au
        AFTER UPDATE OF headline, standfirst, body ON articles_article
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, headline, standfirst, body)
            VALUES ('delete', old.id, old.headline, old.standfirst, old.body);
            INSERT INTO {FTS_TABLE}(rowid, headline, standfirst, body)
            VALUES (new.id, new.headline, new.standfirst, new.body);
        END""",
}


def ensure_sqlite_index(using="default", **kwargs) -> bool:
    """Recreate the sync triggers if they are gone, and rebuild the index.
    Returns whether anything was repaired.

    SQLite cannot alter most columns in place: Django's schema editor copies
    the table into a new one, and the triggers die with the old table. A
    later migration touching articles_article would silently stop the index
    from following edits; this runs after every migrate and catches it."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name = %s OR name LIKE %s",
            [FTS_TABLE, "articles_article_fts_a_"],
        )
        present = {name for _, name in cursor.fetchall()}
        if FTS_TABLE not in present or present >= {FTS_TABLE, *SQLITE_TRIGGERS}:
            return False
        for sql in SQLITE_TRIGGERS.values():
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return True


def connect_receivers(app_config) -> None:
    post_migrate.connect(ensure_sqlite_index, sender=app_config,
                         dispatch_uid="articles.search.ensure_sqlite_index")
