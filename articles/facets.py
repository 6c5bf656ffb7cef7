"""
The facet index: which published articles carry which people,
organisations, places, topics (with every topic above them), source and
mentioned dates, kept in the order of publication.

A filtered list (a person and a topic and a range of mentioned dates) is an
intersection of the articles of each: at a million articles, the most
covered person's are a quarter of the archive, a topic's a tenth, and a
database intersecting them through its tag tables, then sorting the result
by publication time to show twenty and count a thousand, reads all of them
(seconds). Here each published article is one row of ArticleCoverage with
its `facets`, a line of tokens ("p12 t3 t1 s2 m202407 y2024 a"), and its
`position`, its place in the newest-first order as one integer (its
publication second and its id). The database's own inverted index over the
tokens intersects the posting lists:

- SQLite: an FTS5 table (articles_facet_fts) over ArticleCoverage, with the
  position as its rowid, kept in sync by triggers (migration 0012). FTS5
  walks the posting lists in rowid order, skipping ahead in each, and stops
  at the LIMIT: twenty of the newest matches and a count up to a thousand
  cost about what the skips cost, not what the lists hold. The count keeps
  the positions it walked, so that the pages within them are read by id.
- PostgreSQL: the tokens as an array (a stored column) with a GIN index,
  which intersects the lists in no order: it counts a conjunction, and when
  its matches are fewer than the count's bound their positions give the
  pages. And the posting lists themselves
  (articles_facet_posting, a B-tree of (token, position) kept by a trigger),
  merged newest first and stopped at the page: the pages of common matches,
  which GIN would have to read and sort in full (see `PostgresIndex`).

Tokens are pure functions of the article (tokens(), mention_tokens(),
range_tokens()); coverage.contributions() computes them with the rest of
an article's contribution, and coverage.refresh() stores them in the
transaction of every change they depend on.

Dates: a mention has a token for each year it touches (y2024), for each
month if it touches no more than a quarter (m202407), and for each day if it
covers less than a week (d20240705); a query asks at the finest unit its
range allows, and for the mentions without tokens of that unit, at theirs
(mention_tokens(), range_tokens()). Tokens find every article with a
mention overlapping the range and a few more (a month token does not say
which day), so the exact condition is checked on the candidates, in the
same statement, unless the range is whole years (then a year token is
exact, and only mentions of more than WIDE_YEARS years, x, are checked).
"""

import contextlib
import datetime

from django.db import connections, router, transaction
from django.db.models import BooleanField
from django.db.models.expressions import Expression
from django.utils import timezone

from .models import ArticleCoverage, TagState
from .statements import PagedRows

ID_BITS = 28
ID_MASK = (1 << ID_BITS) - 1
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
# The publication times a position can hold: 2**35 seconds either side of
# 1970 (the years 881 to 3058), with ids below 2**28 (268 million).
FIRST_PUBLICATION = datetime.datetime(1000, 1, 1, tzinfo=datetime.UTC)
LAST_PUBLICATION = datetime.datetime(3000, 1, 1, tzinfo=datetime.UTC)

EVERY = "a"  # every article in the index
RECORD_PREFIX = {"person": "p", "organisation": "o", "place": "l", "topic": "t"}
SOURCE_PREFIX = "s"
DAYS_PER_MENTION = 7  # a mention covering more days has no day tokens
MONTHS_PER_MENTION = 3  # one touching more months has no month tokens
WIDE_YEARS = 50  # one touching more years has the token x only
VERY_WIDE = "x"
DAYS_QUERIED = 31  # a range covering more days is asked by its months
MONTHS_QUERIED = 24  # one touching more months by its years
YEARS_QUERIED = 200  # one touching more years is not narrowed by tokens


def position(published_at: datetime.datetime, pk: int) -> int:
    """The article's place in the newest-first order (publication time, then
    id), as one integer: its publication second since 1970, times 2**28,
    plus its id. Publication times are kept to the second (Article.save())."""
    if not 0 < pk <= ID_MASK:
        raise OverflowError(f"Article id {pk} is beyond the facet index's {ID_BITS} bits.")
    if not FIRST_PUBLICATION <= published_at < LAST_PUBLICATION:
        raise OverflowError(f"A publication time of {published_at:%Y} is beyond the facet index.")
    return ((published_at - EPOCH) // SECOND << ID_BITS) + pk


def published_and_id(position_: int) -> tuple[datetime.datetime, int]:
    """The publication time and id of the article at `position_`."""
    return EPOCH + (position_ >> ID_BITS) * SECOND, position_ & ID_MASK


def first_position(moment: datetime.datetime) -> int:
    """The lowest position of an article published at or after `moment`."""
    moment = min(max(moment, FIRST_PUBLICATION), LAST_PUBLICATION)
    seconds = -((EPOCH - moment) // SECOND)  # rounded up: a fraction of a second is the next one
    return seconds << ID_BITS


def last_position(moment: datetime.datetime) -> int:
    """The highest position of an article published at or before `moment`."""
    moment = min(max(moment, FIRST_PUBLICATION), LAST_PUBLICATION)
    return (((moment - EPOCH) // SECOND + 1) << ID_BITS) - 1


def record_token(kind: str, record_id: int) -> str:
    return f"{RECORD_PREFIX[kind]}{record_id}"


def source_token(source_id: int) -> str:
    return f"{SOURCE_PREFIX}{source_id}"


def _months(date_from: datetime.date, date_to: datetime.date):
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _month_count(date_from: datetime.date, date_to: datetime.date) -> int:
    return (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1


def _days(date_from: datetime.date, date_to: datetime.date):
    for n in range((date_to - date_from).days + 1):
        yield date_from + datetime.timedelta(days=n)


def _years(date_from: datetime.date, date_to: datetime.date) -> range:
    return range(date_from.year, date_to.year + 1)


def _day(day: datetime.date) -> str:
    return f"d{day.year:04d}{day.month:02d}{day.day:02d}"


def mention_tokens(date_from: datetime.date, date_to: datetime.date) -> set[str]:
    """The tokens of a date mention covering [date_from, date_to]: every
    year it touches (y), and the months (m) and days (d) it touches when it
    is short enough to have them; and the unit it is found by from finer
    queries, the months of a mention of a few months (n: it touches that
    month but has no day tokens), the years of a longer one (w), or x."""
    years = _years(date_from, date_to)
    if len(years) > WIDE_YEARS:
        return {VERY_WIDE}
    found = {f"y{year:04d}" for year in years}
    if _month_count(date_from, date_to) > MONTHS_PER_MENTION:
        return found | {f"w{year:04d}" for year in years}
    months = [f"{year:04d}{month:02d}" for year, month in _months(date_from, date_to)]
    found |= {f"m{month}" for month in months}
    if (date_to - date_from).days >= DAYS_PER_MENTION:
        return found | {f"n{month}" for month in months}
    return found | {_day(day) for day in _days(date_from, date_to)}


def tokens(*, keys=(), source_id=None, mentions=()) -> set[str]:
    """An article's tokens: `keys` its records as coverage keys
    ("person:12", "topic:3" for each topic of its tags' subtrees…), its
    source's id, and `mentions` the (date_from, date_to) of its accepted
    date mentions."""
    found = {EVERY}
    for key in keys:
        kind, record_id = key.split(":")
        if kind in RECORD_PREFIX:
            found.add(record_token(kind, int(record_id)))
    if source_id is not None:
        found.add(source_token(source_id))
    for date_from, date_to in mentions:
        found |= mention_tokens(date_from, date_to)
    return found


def text(found) -> str:
    """Tokens as stored: sorted, separated by spaces."""
    return " ".join(sorted(found))


def range_tokens(date_from: datetime.date, date_to: datetime.date) -> tuple[list[str] | None, bool]:
    """(tokens, exact) for articles with a mention overlapping [date_from,
    date_to]: any of the tokens finds every one of them, at the finest unit
    the range allows (days, months or years) and, for the mentions without
    tokens of that unit, at theirs. `exact` when the tokens find no other
    articles but those of very wide mentions (x): a range of whole years.
    None: the range is too wide to narrow anything."""
    years = _years(date_from, date_to)
    if len(years) > YEARS_QUERIED:
        return None, False
    months = [f"{year:04d}{month:02d}" for year, month in _months(date_from, date_to)]
    wide = [*(f"w{year:04d}" for year in years), VERY_WIDE]
    whole_months = date_from.day == 1 and (date_to == datetime.date.max
                                           or (date_to + datetime.timedelta(days=1)).day == 1)
    if (date_to - date_from).days < DAYS_QUERIED and not whole_months:
        return [*map(_day, _days(date_from, date_to)), *(f"n{month}" for month in months), *wide], False
    whole_years = (date_from.month, date_from.day) == (1, 1) and (date_to.month, date_to.day) == (12, 31)
    if len(months) <= MONTHS_QUERIED and not whole_years:
        return [*(f"m{month}" for month in months), *wide], False
    return [*(f"y{year:04d}" for year in years), VERY_WIDE], whole_years


class Query:
    """A conjunction: articles with every token of `all_of`, at least one of
    each group of `any_of`, published in [after, before) (positions), with a
    mention overlapping `mentioned` (a pair of dates) if given."""

    def __init__(self):
        self.all_of: list[str] = []
        self.any_of: list[list[str]] = []
        self.after: int | None = None
        self.before: int | None = None
        self.mentioned: tuple[datetime.date, datetime.date] | None = None
        # The exact condition of `mentioned`, checked on the candidates: on
        # all of them ("all"), or only on those with a very wide mention ("wide").
        self.check_mentions: str | None = None

    def require(self, token: str) -> "Query":
        if token not in self.all_of:
            self.all_of.append(token)
        return self

    def published_from(self, moment: datetime.datetime) -> "Query":
        bound = first_position(moment)
        self.after = bound if self.after is None else max(self.after, bound)
        return self

    def published_before(self, moment: datetime.datetime) -> "Query":
        bound = first_position(moment)
        self.before = bound if self.before is None else min(self.before, bound)
        return self

    def mentioning(self, date_from: datetime.date, date_to: datetime.date) -> "Query":
        self.mentioned = (date_from, date_to)
        found, exact = range_tokens(date_from, date_to)
        if found is not None:
            self.any_of.append(found)
        # Exact tokens still match the very wide mentions: those are checked.
        self.check_mentions = "wide" if exact else "all"
        return self

    def terms(self) -> tuple[list[str], list[list[str]]]:
        # A query needs a token to look up: every article's, if it has none.
        return (self.all_of or ([] if self.any_of else [EVERY])), self.any_of


class HasToken(Expression):
    """A condition on ArticleCoverage rows: the row carries `token`. On
    PostgreSQL through the array column, whose statistics tell the planner
    how common the token is; on SQLite a match of the word in the text."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        if connection.vendor == "postgresql":
            return f"{alias}.{POSTGRESQL_COLUMN} @> ARRAY[%s]::text[]", [self.token]
        return f"(' ' || {alias}.facets || ' ') LIKE %s", [f"% {self.token} %"]


# --- Reading ---------------------------------------------------------------


class FacetList(PagedRows):
    """The live articles of a Query, newest first (or oldest first), for a
    Paginator (articles.pagination): `count_at_most(n)`, and a slice reads
    a page of (id, rendition format, rendition `part`) rows, passed through
    `finish`; the positions of the rows read are left in `positions`.
    before_position() and after_position() move a keyset cursor."""

    def __init__(self, query: Query, part: str, *, now=None, using=None, oldest_first=False):
        self.query, self.part = query, part
        self.now = now or timezone.now()
        self.using = using or router.db_for_read(ArticleCoverage)
        self.oldest_first = oldest_first
        self.positions: list[int] = []
        self.few = False  # known to have few matches (count_at_most())
        self.counted: list[int] | None = None  # the positions count_at_most() walked, in order

    def _clone(self, **changes) -> "FacetList":
        clone = FacetList(self.query, self.part, now=self.now, using=self.using,
                          oldest_first=self.oldest_first)
        clone.finish, clone.few = self.finish, self.few
        clone.__dict__.update(changes)
        return clone

    def before_position(self, bound: int) -> "FacetList":
        """Articles after position `bound` in newest-first order (older), newest first."""
        query = _copy(self.query)
        query.before = bound if query.before is None else min(query.before, bound)
        return self._clone(query=query, oldest_first=False)

    def after_position(self, bound: int) -> "FacetList":
        """Articles before position `bound` in newest-first order (newer), oldest first."""
        query = _copy(self.query)
        bound += 1
        query.after = bound if query.after is None else max(query.after, bound)
        return self._clone(query=query, oldest_first=True)

    def ids(self, limit: int) -> list[int]:
        """The ids of the first `limit` articles, without their renditions."""
        return [row[0] for row in self.index.page(self.query, self.now, None, limit, 0,
                                                  oldest_first=self.oldest_first)]

    @property
    def index(self):
        vendor = connections[self.using].vendor
        return INDEXES[vendor](connections[self.using])

    def count_at_most(self, limit: int) -> int:
        index = self.index
        if index.counts_in_order(self.query):
            # Counting walks the matches in order: their positions, kept,
            # give the pages within them without walking again.
            self.counted = index.positions(self.query, self.now, limit, oldest_first=self.oldest_first)
            counted = len(self.counted)
        else:
            # In no order: they are all of the matches only when fewer than the bound.
            found = index.matches(self.query, self.now, limit)
            counted = len(found)
            if counted < limit:
                self.counted = sorted(found, reverse=not self.oldest_first)
        # Fewer than asked: every match is counted, and they are few.
        self.few = counted < limit
        return counted

    def read(self, limit: int, offset: int) -> list:
        if self.counted is not None and (offset + limit <= len(self.counted) or self.few):
            positions = self.counted[offset:offset + limit]
            rows = self.index.at_positions(positions, self.part)
        else:
            rows = self.index.page(self.query, self.now, self.part, limit, offset,
                                   oldest_first=self.oldest_first, few=self.few)
        self.positions = [row[3] for row in rows]
        return [row[:3] for row in rows]


def _copy(query: Query) -> Query:
    clone = Query()
    clone.__dict__.update({k: (list(v) if isinstance(v, list) else v) for k, v in query.__dict__.items()})
    return clone


class _Index:
    def __init__(self, connection):
        self.connection = connection
        self.quote = connection.ops.quote_name

    def counts_in_order(self, query: Query) -> bool:
        """Whether the index counts `query`'s matches by walking them in
        order: then positions() counts, and the pages within them are read
        by at_positions(); otherwise matches() counts, in no order."""
        return False

    def mention_check(self, query: Query, id_sql: str, tokens_of: str | None = None) -> tuple[str, list]:
        """The exact condition of query.mentioned on the article `id_sql`,
        for the candidates query.check_mentions says."""
        if not query.mentioned or not query.check_mentions:
            return "", []
        from .models import DateMention

        table = self.quote(DateMention._meta.db_table)
        date_from, date_to = query.mentioned
        adapt = self.connection.ops.adapt_datefield_value
        sql = (f"EXISTS (SELECT 1 FROM {table} d WHERE d.article_id = {id_sql}"
               " AND d.state = %s AND d.date_from <= %s AND d.date_to >= %s)")
        params = [TagState.ACCEPTED, adapt(date_to), adapt(date_from)]
        if query.check_mentions == "wide":
            wide, wide_params = self.without_very_wide(tokens_of)
            return f" AND ({wide} OR {sql})", [*wide_params, *params]
        return f" AND {sql}", params

    def rendition(self, part) -> str:
        """The columns of the rendition `part` (None: no rendition)."""
        return f"r.format, r.{self.quote(part)}" if part else "NULL, NULL"

    @staticmethod
    def join(part, renditions: str, id_sql: str) -> str:
        return f"LEFT JOIN {renditions} r ON r.article_id = {id_sql} " if part else ""

    def execute(self, sql, params):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def at_positions(self, positions: list[int], part: str | None) -> list:
        """The page's rows (as page() gives them) of these positions, in their order."""
        if not positions or not part:
            return [(position & ID_MASK, None, None, position) for position in positions]
        from .renditions import rows_of

        rows = rows_of([position & ID_MASK for position in positions], part, using=self.connection.alias)
        return [(*row, position) for row, position in zip(rows, positions)]


FTS_TABLE = "articles_facet_fts"
POSTGRESQL_COLUMN = "facet_tokens"
POSTGRESQL_GIN = "articles_facets_gin_idx"
POSTINGS = "articles_facet_posting"


class SqliteIndex(_Index):
    """FTS5: the match, the live bound and the page in one walk of the
    posting lists by rowid (the position)."""

    def counts_in_order(self, query: Query) -> bool:
        return True

    @staticmethod
    def match(query: Query) -> str:
        all_of, any_of = query.terms()
        parts = [f'"{token}"' for token in all_of]
        parts += ["(" + " OR ".join(f'"{token}"' for token in group) + ")" for group in any_of]
        return " AND ".join(parts)

    def where(self, query: Query, now) -> tuple[str, list]:
        coverage = self.quote(ArticleCoverage._meta.db_table)
        live_until = last_position(now)
        before = live_until if query.before is None else min(live_until, query.before - 1)
        sql = f"{FTS_TABLE} MATCH %s AND f.rowid <= %s"
        params = [self.match(query), before]
        if query.after is not None:
            sql += " AND f.rowid >= %s"
            params.append(query.after)
        # Published before now but not live yet (embargoed): few, found in
        # the (live_from, position) index alone.
        sql += f" AND f.rowid NOT IN (SELECT position FROM {coverage} WHERE live_from > %s AND position <= %s)"
        params += [self.connection.ops.adapt_datetimefield_value(now), before]
        check, check_params = self.mention_check(query, f"(f.rowid & {ID_MASK})")
        return sql + check, params + check_params

    def without_very_wide(self, tokens_of=None) -> tuple[str, list]:
        return f"f.rowid NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)", [
            f'"{VERY_WIDE}"']

    def positions(self, query: Query, now, limit: int, *, oldest_first=False) -> list[int]:
        """The positions of the first `limit` matches: the count. FTS5 walks
        them in order either way, and a thousand integers cost little more
        than counting them: the first pages then need no second walk."""
        where, params = self.where(query, now)
        order = "ASC" if oldest_first else "DESC"
        sql = f"SELECT f.rowid FROM {FTS_TABLE} f WHERE {where} ORDER BY f.rowid {order} LIMIT %s"
        return [row[0] for row in self.execute(sql, [*params, limit])]

    def page(self, query: Query, now, part: str, limit: int, offset: int, *, oldest_first=False,
             few=False):
        from .models import ArticleRendition

        renditions = self.quote(ArticleRendition._meta.db_table)
        where, params = self.where(query, now)
        order = "ASC" if oldest_first else "DESC"
        sql = (f"SELECT f.rowid & {ID_MASK}, {self.rendition(part)}, f.rowid FROM {FTS_TABLE} f "
               f"{self.join(part, renditions, f'(f.rowid & {ID_MASK})')}"
               f"WHERE {where} ORDER BY f.rowid {order} LIMIT %s OFFSET %s")
        return self.execute(sql, [*params, limit, offset])


class PostgresIndex(_Index):
    """GIN over the tokens as an array (a stored column, so that no row's
    text is split at query time), a B-tree over the position."""

    TOKENS = f"c.{POSTGRESQL_COLUMN}"

    def where(self, query: Query, now) -> tuple[str, list]:
        all_of, any_of = query.terms()
        sql, params = "c.live_from <= %s", [now]
        if all_of:
            sql += f" AND {self.TOKENS} @> %s::text[]"
            params.append(all_of)
        for group in any_of:
            sql += f" AND {self.TOKENS} && %s::text[]"
            params.append(group)
        if query.after is not None:
            sql += " AND c.position >= %s"
            params.append(query.after)
        if query.before is not None:
            sql += " AND c.position < %s"
            params.append(query.before)
        check, check_params = self.mention_check(query, "c.article_id")
        return sql + check, params + check_params

    def without_very_wide(self, tokens_of=None) -> tuple[str, list]:
        """Not a very wide mention's: in the row's tokens, or with
        `tokens_of` (a position), in the posting lists."""
        if tokens_of:
            return (f"NOT EXISTS (SELECT 1 FROM {POSTINGS} q WHERE q.token = %s AND q.position = {tokens_of})",
                    [VERY_WIDE])
        return f"NOT {self.TOKENS} @> %s::text[]", [[VERY_WIDE]]

    def counts_in_order(self, query: Query) -> bool:
        """One posting list (or one group's, merged) is read in order up to
        the count's bound, an index-only scan that stops there; GIN would
        build the bitmap of every article of a person on a quarter of the
        archive first (9 ms at a million articles, against 0.7). A
        conjunction is counted by GIN, which intersects the lists
        faster than merging them walks them (matches())."""
        all_of, any_of = query.terms()
        return len(all_of) + len(any_of) == 1

    def positions(self, query: Query, now, limit: int, *, oldest_first=False) -> list[int]:
        sql, params = self.posting_sql(query, now, None, oldest_first=oldest_first)
        return [row[3] for row in self.execute(f"{sql} LIMIT %s", [*params, limit])]

    def matches(self, query: Query, now, limit: int) -> list[int]:
        """The positions of up to `limit` of a conjunction's matches, through
        GIN, in no order: its count, and when they are fewer than `limit`,
        all of them, from which the pages are read by id."""
        coverage = self.quote(ArticleCoverage._meta.db_table)
        where, params = self.where(query, now)
        sql = f"SELECT c.position FROM {coverage} c WHERE {where} LIMIT %s"
        return [row[0] for row in self.execute(sql, [*params, limit])]

    def page(self, query: Query, now, part: str, limit: int, offset: int, *, oldest_first=False,
             few=False):
        """The page, by one of two plans. Matches known to be few (the count
        stopped short of its bound) are all fetched through GIN and sorted:
        a CTE kept apart from the ORDER BY, so that the planner cannot walk
        the positions instead, looking for them among every article.
        Otherwise the posting lists (posting_page())."""
        if not few:
            return self.posting_page(query, now, part, limit, offset, oldest_first=oldest_first)
        from .models import ArticleRendition

        coverage = self.quote(ArticleCoverage._meta.db_table)
        renditions = self.quote(ArticleRendition._meta.db_table)
        where, params = self.where(query, now)
        order = "ASC" if oldest_first else "DESC"
        sql = (f"WITH matches AS MATERIALIZED (SELECT c.article_id, c.position FROM {coverage} c "
               f"WHERE {where}) SELECT c.article_id, {self.rendition(part)}, c.position FROM matches c "
               f"{self.join(part, renditions, 'c.article_id')}"
               f"ORDER BY c.position {order} LIMIT %s OFFSET %s")
        return self.execute(sql, [*params, limit, offset])

    def posting_page(self, query: Query, now, part: str, limit: int, offset: int, *, oldest_first=False):
        sql, params = self.posting_sql(query, now, part, oldest_first=oldest_first)
        return self.execute(f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset])

    def posting_sql(self, query: Query, now, part: str | None, *, oldest_first=False) -> tuple[str, list]:
        """The query's articles read from the posting lists (articles_facet_posting: a
        B-tree of (token, position)), each an index-only scan in the list's
        order: one list, or a group's lists merged (their duplicates dropped
        as they pass), joined by merging to the other tokens' lists, and
        stopped at the page. GIN gives its matches in no order: sorting them
        reads every match's row, and walking the positions instead reads
        every article until the matches come, which for dates mentioned
        years ago means years of the archive (0.9 s at a million articles)."""
        from .models import ArticleRendition

        renditions = self.quote(ArticleRendition._meta.db_table)
        coverage = self.quote(ArticleCoverage._meta.db_table)
        all_of, any_of = query.terms()
        stream, probes = (any_of[0], all_of) if any_of else ([all_of[0]], all_of[1:])
        order = "ASC" if oldest_first else "DESC"
        upper = last_position(now) if query.before is None else min(last_position(now), query.before - 1)
        bounds, bound_params = "position <= %s", [upper]
        if query.after is not None:
            bounds += " AND position >= %s"
            bound_params.append(query.after)
        lists = " UNION ALL ".join(
            f"(SELECT position FROM {POSTINGS} WHERE token = %s AND {bounds} ORDER BY position {order})"
            for _ in stream)
        params = [value for token in stream for value in (token, *bound_params)]
        sql = (f"SELECT s.position & {ID_MASK}, {self.rendition(part)}, s.position FROM ("
               f"SELECT w.position FROM (SELECT p.position, lag(p.position) OVER (ORDER BY p.position {order}) "
               f"AS previous FROM ({lists}) p) w WHERE w.previous IS DISTINCT FROM w.position) s "
               f"{self.join(part, renditions, f's.position & {ID_MASK}')}"
               f"WHERE s.position NOT IN (SELECT position FROM {coverage} WHERE live_from > %s AND position <= %s)")
        params += [now, upper]
        for token in probes:
            sql += f" AND EXISTS (SELECT 1 FROM {POSTINGS} q WHERE q.token = %s AND q.position = s.position)"
            params.append(token)
        for group in any_of[1:]:
            sql += f" AND EXISTS (SELECT 1 FROM {POSTINGS} q WHERE q.token = ANY(%s) AND q.position = s.position)"
            params.append(group)
        check, check_params = self.mention_check(query, f"(s.position & {ID_MASK})", tokens_of="s.position")
        return sql + check + f" ORDER BY s.position {order}", [*params, *check_params]


INDEXES = {"sqlite": SqliteIndex, "postgresql": PostgresIndex}


# --- The SQLite index, kept by triggers -------------------------------------------

_COVERAGE = "articles_articlecoverage"

SQLITE_TABLE = f"""
    CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        facets, content='{_COVERAGE}', content_rowid='position',
        detail=none, tokenize='ascii'
    )"""

SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {_COVERAGE}
        BEGIN
            INSERT INTO {FTS_TABLE}(rowid, facets) VALUES (new.position, new.facets);
        END""",
    f"{FTS_TABLE}_ad": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {_COVERAGE}
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, facets) VALUES ('delete', old.position, old.facets);
        END""",
    f"{FTS_TABLE}_au": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF position, facets ON {_COVERAGE}
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, facets) VALUES ('delete', old.position, old.facets);
            INSERT INTO {FTS_TABLE}(rowid, facets) VALUES (new.position, new.facets);
        END""",
}


def statistics_tables(connection) -> list[str]:
    """The index's own tables for the planner's statistics (corpus.analyze())."""
    return [POSTINGS] if connection.vendor == "postgresql" else []


@contextlib.contextmanager
def index_deferred(using: str = "default", *, exclusive: bool = False):
    """Leave the facet index alone while many articles' contributions are
    written, and build it once after: several times less work than row by
    row. SQLite: its triggers dropped, then the FTS5 table built from every
    row of ArticleCoverage. PostgreSQL, when `exclusive` (nobody reads the
    table meanwhile: dropping the index locks it until the transaction
    ends): the GIN index dropped and created again. Restored whatever
    happened."""
    connection = connections[using]
    if connection.vendor == "postgresql" and exclusive:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRESQL_GIN}")
            cursor.execute(f"ALTER TABLE {_COVERAGE} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            # Not with foreign key checks pending in the transaction: run them.
            connection.check_constraints()
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {_COVERAGE} ENABLE TRIGGER USER")
                for sql in (*POSTGRESQL_POSTINGS_REBUILD, POSTGRESQL_SQL[1]):
                    cursor.execute(sql)
        return
    if connection.vendor != "sqlite" or FTS_TABLE not in connection.introspection.table_names():
        yield
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield
    finally:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)
            for sql in SQLITE_REBUILD:
                cursor.execute(sql)


# The index built again from every row of ArticleCoverage, in the order of
# the positions: FTS5 writes out what it holds whenever a row comes with a
# lower rowid than the one before (its own 'rebuild' reads the table in the
# order of the articles, which would make a segment of nearly every row),
# and whenever it holds a megabyte. Then merged into one segment: a token's
# articles are read from every segment and merged, and at 100,000 articles
# the build leaves nine (the API's popular conjunction: 1.07 ms, 0.76 once
# merged).
SQLITE_REBUILD = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')",
    f"INSERT INTO {FTS_TABLE}(rowid, facets) SELECT position, facets FROM {_COVERAGE} ORDER BY position",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')",
)

# PostgreSQL: the tokens as an array in a generated column (the model does
# not declare it: SQLite has none), and its GIN index.
POSTGRESQL_SQL = (
    f"ALTER TABLE {_COVERAGE} ADD COLUMN IF NOT EXISTS {POSTGRESQL_COLUMN} text[] "
    "GENERATED ALWAYS AS (string_to_array(facets, ' ')) STORED",
    f"CREATE INDEX IF NOT EXISTS {POSTGRESQL_GIN} ON {_COVERAGE} USING gin ({POSTGRESQL_COLUMN})",
)

# PostgreSQL: the posting lists, a row per (token, article), in a B-tree
# that keeps each token's articles in position order, kept by a trigger.
POSTGRESQL_POSTINGS = (
    f"CREATE TABLE IF NOT EXISTS {POSTINGS} (token text NOT NULL, position bigint NOT NULL, "
    "PRIMARY KEY (token, position))",
    f"""CREATE OR REPLACE FUNCTION {POSTINGS}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM {POSTINGS}
            WHERE position = OLD.position AND token = ANY (string_to_array(OLD.facets, ' '));
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO {POSTINGS} (token, position)
            SELECT DISTINCT token, NEW.position FROM unnest(string_to_array(NEW.facets, ' ')) AS token;
        END IF;
        RETURN NULL;
    END $$""",
    f"DROP TRIGGER IF EXISTS {POSTINGS}_write ON {_COVERAGE}",
    f"""CREATE TRIGGER {POSTINGS}_write AFTER INSERT OR DELETE ON {_COVERAGE}
    FOR EACH ROW EXECUTE FUNCTION {POSTINGS}_sync()""",
    f"DROP TRIGGER IF EXISTS {POSTINGS}_change ON {_COVERAGE}",
    f"""CREATE TRIGGER {POSTINGS}_change AFTER UPDATE OF position, facets ON {_COVERAGE}
    FOR EACH ROW WHEN (OLD.position IS DISTINCT FROM NEW.position OR OLD.facets IS DISTINCT FROM NEW.facets)
    EXECUTE FUNCTION {POSTINGS}_sync()""",
    # TRUNCATE (manage.py flush) deletes no row one by one.
    f"""CREATE OR REPLACE FUNCTION {POSTINGS}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE {POSTINGS};
        RETURN NULL;
    END $$""",
    f"DROP TRIGGER IF EXISTS {POSTINGS}_truncate ON {_COVERAGE}",
    f"""CREATE TRIGGER {POSTINGS}_truncate AFTER TRUNCATE ON {_COVERAGE}
    FOR EACH STATEMENT EXECUTE FUNCTION {POSTINGS}_truncate()""",
)
# Built again from every row of ArticleCoverage, a token's list at a time.
POSTGRESQL_POSTINGS_REBUILD = (
    f"TRUNCATE {POSTINGS}",
    f"INSERT INTO {POSTINGS} (token, position) SELECT DISTINCT token, position "
    f"FROM {_COVERAGE}, unnest(string_to_array(facets, ' ')) AS token ORDER BY 1, 2",
)
