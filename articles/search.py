"""
Full-text search over headline, standfirst and body, through an index.

SQLite: an external-content FTS5 table, articles_article_fts, kept in sync
with articles_article by triggers (migration 0005); a search joins it to the
articles once and ranks by its bm25(). PostgreSQL: a stored, generated
tsvector column, articles_article.search_document, with a GIN index
(migration 0008); a search filters and ranks on that column, so no document
is parsed at query time. The model does not declare the column (SQLite has
none): SearchDocument refers to it.

The user's text never reaches either query language as syntax: it is cut
into words and "quoted phrases" made of word characters only, each quoted,
all required. A query without a single word matches nothing.
"""

import re
from collections import Counter

from django.contrib.postgres.search import SearchConfig, SearchQuery, SearchRank, SearchVectorField
from django.db import connections, transaction
from django.db.models import F, FloatField, Func, IntegerField, TextField, Value
from django.db.models.expressions import Expression, RawSQL
from django.db.models.signals import post_migrate
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .statements import PagedRows

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
            queryset.alias(search_document=SearchDocument())
            .filter(search_document=query)
            .annotate(rank=SearchRank(SearchDocument(), query))
        )
    else:
        # The FTS table joined once and driving the join: every match is
        # found and ranked (bm25() of the joined row) in one full-text pass,
        # then its article fetched by primary key. The unary + keeps SQLite
        # from choosing the reverse, a full-text query per candidate article
        # (probing the FTS table by rowid), which it may without statistics.
        queryset = (
            queryset.extra(tables=[FTS_TABLE], where=[f"{FTS_TABLE} MATCH %s"],
                           params=[quoted(terms)])
            .filter(pk=RawSQL(f"+{FTS_TABLE}.rowid", (), output_field=IntegerField()))
            .annotate(rank=RawSQL(FTS5_RANK, (), output_field=FloatField()))
        )
    return queryset.order_by(*RELEVANCE)


RELEVANCE = ("-rank", "-published_at", "-pk")
# A search matching more articles than this is ranked among the most recently
# added this many (by id): ranking every match of a common word is most of a
# search's time, and grows with the archive (a word in half the articles:
# 165 ms at 100,000 articles, ranked in full). More than a listing shows
# (articles.pagination.LISTING_CAP), so that the pages are numbered as before.
RANKED = 2000


# PostgreSQL: where the newest results are looked for first, in ids.
WINDOW = 50 * RANKED


def by_relevance(matches):
    """`matches` (of search_articles(), with any other filter) ordered by
    relevance, among the RANKED most recently added when there are more."""
    first = newest_ranked(matches)
    if first is not None:
        if vendor(matches) == "postgresql":
            matches = matches.filter(pk__gte=first)
        else:  # on the index's own rowid, where FTS5 ranges its scan
            matches = matches.extra(where=[f"{FTS_TABLE}.rowid >= %s"], params=[first])
    return matches.order_by(*RELEVANCE)


def newest_ranked(matches):
    """The id of the RANKED-th newest of `matches`, None if there are fewer.

    SQLite: one walk of the FTS5 index newest first (by rowid) that stops
    there. PostgreSQL's full-text index gives its matches in no order, and
    finding the newest among all of them reads each one's row (a name in 2%
    of a million articles: 82 ms): they are looked for among the last WINDOW
    ids first, and among all only when those hold fewer than RANKED. The
    answer is the same either way: when the window holds RANKED results,
    the RANKED newest are all in it. One query more than SQLite's (the last
    id), two when the window falls short."""
    def nth(ordered):
        found = list(ordered.prefetch_related(None).values_list("pk", flat=True)[RANKED - 1:RANKED])
        return found[0] if found else None

    if vendor(matches) != "postgresql":
        return nth(matches.order_by(RawSQL(f"{FTS_TABLE}.rowid", (), output_field=IntegerField()).desc()))
    # The last id as a value (a query of its own), not a subquery: only then
    # does the planner range the primary key index with it.
    latest = matches.model.objects.using(matches.db).order_by("-pk").values_list("pk", flat=True).first()
    if latest is not None and latest > WINDOW:
        found = nth(matches.filter(pk__gt=latest - WINDOW).order_by("-pk"))
        if found is not None:
            return found
    return nth(matches.order_by("-pk"))


FTS5_RANK = f"-bm25({FTS_TABLE}, {', '.join(map(str, FTS5_WEIGHTS))})"


class SearchDocument(Expression):
    """articles_article.search_document (PostgreSQL), under whatever alias
    the article table has in the query being compiled (e.g. U0 inside a
    subquery)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_document", []


FACET_SAMPLE = 1000  # the facets describe at most this many of the best matches
FACET_SIZE = 12


def ranked_rows(matches, limit: int) -> list[tuple[int, str | None]]:
    """(id, facet tokens) of the first `limit` articles of `matches`, in
    their order: one query. The tokens are the article's line of the
    facet index (ArticleCoverage.facets, articles.facets), which holds its
    accepted tags' people, and topics with every topic above them."""
    return list(matches.prefetch_related(None).values_list("pk", "coverage__facets")[:limit])


def facets(matches, *, sample: int = FACET_SAMPLE, size: int = FACET_SIZE):
    """(people, topics): the `size` people and topics most often tagged
    among the first `sample` live articles of `matches`, accepted tags only,
    each annotated with `n_matches`, the number of those articles it is
    tagged in (a topic: it or a topic below it, as narrowing by it finds
    them); most frequent first. Three queries, whatever the number of
    matches."""
    return facets_of([tokens for _, tokens in ranked_rows(matches.live(), sample)], size=size,
                     using=matches.db)


def facets_of(lines, *, size: int = FACET_SIZE, using: str | None = None):
    """facets() of the articles whose facet tokens are `lines`: counted
    here, then the records that can place (as many as `size` counts reach,
    ties included) fetched with what a facet shows. A query a facet."""
    from .facets import RECORD_PREFIX
    from .models import Person, Topic

    # A line holds each of its tokens once: a token's count is its articles'.
    person, topic = RECORD_PREFIX["person"], RECORD_PREFIX["topic"]
    found = Counter(re.findall(rf"(?<!\S)([{person}{topic}]\d+)(?!\S)", " ".join(filter(None, lines))))
    counts = {"person": Counter(), "topic": Counter()}
    for token, n in found.items():
        counts["person" if token[0] == person else "topic"][int(token[1:])] = n

    def top(model, counted):
        if not counted or size < 1:
            return []
        least = sorted(counted.values(), reverse=True)[:size][-1]
        placing = [pk for pk, n in counted.items() if n >= least]
        found = list(model.objects.using(using).filter(pk__in=placing).order_by().only("name", "slug"))
        for record in found:
            record.n_matches = counted[record.pk]
        return sorted(found, key=lambda r: (-r.n_matches, r.name, r.pk))[:size]

    return top(Person, counts["person"]), top(Topic, counts["topic"])


class SearchResults(PagedRows):
    """A search as its page reads it, for a Paginator (articles.pagination):
    the first `limit` of `matches` (live articles, ordered by
    by_relevance()) ranked once, with their facet tokens; the count (up to
    `limit`), the pages within them and the facets' sample (tokens()) all
    read from those. A
    page is the articles' stored cards with the snippet in place of the
    standfirst, or, for an article without a current rendition, the article
    itself from `unrendered()` (live articles with what a card shows) with
    its `snippet`. Four queries for the count, a page and its snippets,
    whatever the page's length."""

    def __init__(self, matches, q: str, unrendered, *, limit: int):
        self.matches, self.q, self.unrendered, self.limit = matches, q, unrendered, limit

    @cached_property
    def ranked(self) -> list[tuple[int, str | None]]:
        return ranked_rows(self.matches, self.limit)

    def count_at_most(self, limit: int) -> int:
        if limit > self.limit:
            raise ValueError(f"Counted up to {self.limit}, not {limit}.")
        return min(len(self.ranked), limit)

    def tokens(self, sample: int) -> list[str | None]:
        """The facet tokens of the first `sample` results (no more than `limit`)."""
        return [tokens for _, tokens in self.ranked[:sample]]

    def read(self, limit: int, offset: int) -> list[int]:
        return [pk for pk, _ in self.ranked[offset:offset + limit]]

    def finish(self, ids):
        from . import renditions

        if not ids:
            return []
        db = self.matches.db
        excerpts = snippets(ids, self.q, using=db)
        rows = [(pk, format, card and renditions.card_with_snippet(card, excerpts.get(pk, "")))
                for pk, format, card in renditions.rows_of(ids, "card", using=db)]
        items = renditions.items(rows, lambda: self.unrendered().using(db))
        for item in items:
            if not isinstance(item, str):  # rendered by the card template, with its snippet
                item.snippet = excerpts.get(item.pk, "")
        return items


class Headline(Func):
    """ts_headline with our marks (PostgreSQL)."""

    function = "ts_headline"
    output_field = TextField()
    options = (f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, "
               'MaxFragments=2, FragmentDelimiter=" … "')

    def __init__(self, field, query):
        super().__init__(SearchConfig(CONFIG), F(field), query, Value(self.options))


def snippets(articles, q: str, *, using: str | None = None) -> dict:
    """{pk: safe HTML excerpt} for `articles` (or their ids): the words
    matching `q` in <mark>, everything else escaped. From the body, or the
    standfirst when only it matches. One query."""
    pks = [getattr(article, "pk", article) for article in articles]
    terms = parse(q)
    if not pks:
        return {}
    from .models import Article

    db = using or getattr(articles, "db", "default")
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


def sqlite_indexes() -> list[tuple[str, dict, tuple]]:
    """The FTS5 tables kept by triggers, with their triggers and how they
    are built again: the search index, and the facet index (articles.facets)."""
    from . import facets

    return [(FTS_TABLE, SQLITE_TRIGGERS, (f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",)),
            (facets.FTS_TABLE, facets.SQLITE_TRIGGERS, facets.SQLITE_REBUILD)]


# Pages an incremental merge step writes (FTS5 pages of 4 kB), in a transaction of its own.
MERGE_PAGES = 1000


def merge_sqlite_indexes(using: str = "default", *, pages: int = MERGE_PAGES, progress=None):
    """Merge each FTS5 index (search, facets) into one segment, yielding
    (table, segments it had) as each is done. A word's or a token's articles
    are read from every segment, and edits add segments that FTS5's automatic
    merging merges only in part. By FTS5's incremental merge ('merge' with a
    negative number of pages: every level at once, as 'optimize' does), at
    most about `pages` pages a transaction, until a step has nothing left to
    do: a writer waits for one step, not for the whole index (readers never
    wait, under WAL). progress(table, pages written, pages of the index) after
    each step."""
    connection = connections[using]
    present = set(connection.introspection.table_names())
    for table, _triggers, _rebuild in sqlite_indexes():
        if table not in present:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(DISTINCT segid), (SELECT count(*) FROM {table}_data) FROM {table}_idx")
            segments, size = cursor.fetchone()
            written = 0
            while segments > 1:
                with transaction.atomic(using=using):
                    before = connection.connection.total_changes
                    cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('merge', %s)", [-pages])
                    changed = connection.connection.total_changes - before
                if changed < 2:  # FTS5's sign that the step found nothing to merge
                    break
                written += changed
                if progress:
                    progress(table, written, size)
        yield table, segments


def ensure_sqlite_index(using="default", **kwargs) -> bool:
    """Recreate the sync triggers if they are gone, and rebuild the index.
    Returns whether anything was repaired.

    SQLite cannot alter most columns in place: Django's schema editor copies
    the table into a new one, and the triggers die with the old table. A
    later migration touching articles_article (or articles_articlecoverage)
    would silently stop the index from following edits; this runs after
    every migrate and catches it."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    repaired = False
    with connection.cursor() as cursor:
        for table, triggers, rebuild in sqlite_indexes():
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND name LIKE %s)",
                [table, f"{table}_a_"],
            )
            present = {name for (name,) in cursor.fetchall()}
            if table not in present or present >= {table, *triggers}:
                continue
            for sql in (*triggers.values(), *rebuild):
                cursor.execute(sql)
            repaired = True
    return repaired


def connect_receivers(app_config) -> None:
    post_migrate.connect(ensure_sqlite_index, sender=app_config,
                         dispatch_uid="articles.search.ensure_sqlite_index")
