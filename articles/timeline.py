"""
The timeline: every accepted date mention of live articles in time order,
its entries drawn here rather than by a template loop (fifty entries of a
dozen variables each were most of the page's time), and its unfiltered and
by-year lists read through statements prepared once per process
(articles.statements).

An entry is a row: the mention's fields (ROW) and its article's headline and
slug, from the statements or, for a timeline narrowed to a person or a
topic, from the same values_list() of the ORM.
"""

import datetime
import itertools
from html import escape  # Django's escape() is this, behind a check for lazy text
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import coverage, facets
from .date_display import phrase_html
from .models import Article, ArticleCoverage, DateMention, TagState
from .statements import Statement, count_statement

ORDER = ("date_from", "date_to", "pk")
ROW = ("pk", "text", "date_from", "date_to", "precision", "value", "mod", "label",
       "article__headline", "article__slug")
YEAR = {"start": datetime.date, "end": datetime.date}
PRECISIONS = {value: str(label).lower() for value, label in DateMention.Precision.choices}


def rows(mentions):
    """A queryset of date mentions as the timeline's rows."""
    return mentions.order_by(*ORDER).values_list(*ROW)


def in_year(mentions, start, end):
    return mentions.filter(date_from__gte=start, date_from__lte=end)


def _public(now):
    return DateMention.objects.public(now)


# Every public mention, and those of a year, a page at a time. Not prepared
# on PostgreSQL (articles.statements): a plan for any page (a generic plan,
# not knowing the LIMIT) joins every mention to its article and sorts them,
# 1,000 times the cost of walking the date index for one page (0.5 ms against
# 500 at 100,000 articles). The counts likewise (1.4 times).
EVERY = Statement(lambda now: rows(_public(now)), template="{sql} LIMIT %s OFFSET %s", prepare=False)
OF_YEAR = Statement(lambda now, start, end: rows(in_year(_public(now), start, end)),
                    template="{sql} LIMIT %s OFFSET %s", params=YEAR, prepare=False)
# Counted from the articles' side: a walk of the live articles' index and of
# each one's mentions, index entries only, where counting from the mentions'
# date index reads each mention's article row (3.7 against 0.3 ms at 100,000
# articles for the first thousand). The same mentions: accepted, of live articles.
EVERY_COUNT = count_statement(  # a row per mention: the join's
    lambda now: Article.objects.live(now=now).filter(date_mentions__state=TagState.ACCEPTED), prepare=False)
OF_YEAR_COUNT = count_statement(lambda now, start, end: in_year(_public(now), start, end), YEAR,
                                prepare=False)
# A record's live articles fetched (the facet index's ids) up to this many;
# beyond, its mentions are found by walking the date index.
FETCHED_ARTICLES = 2000


def of_record(mentions, record, now):
    """`mentions` (public ones) narrowed to the articles tagged with
    `record` (a person or a topic, its sub-topics included), by one of two
    plans. A record on a few articles: their ids from the facet index
    (articles.facets), then their mentions. A common one: the date index
    walked in order, each mention's article checked for the record's token
    in its row of the index; a person on a quarter of the archive gives a
    page of fifty in some two hundred steps, where fetching that quarter's
    mentions to sort them read hundreds of thousands."""
    token = facets.record_token(coverage.KIND[type(record)], record.pk)
    if coverage.published_total(record) <= FETCHED_ARTICLES:
        found = facets.FacetList(facets.Query().require(token), "api", now=now)
        return mentions.filter(article_id__in=found.ids(FETCHED_ARTICLES))
    tagged = ArticleCoverage.objects.filter(facets.HasToken(token), article_id=OuterRef("article_id"))
    return mentions.filter(Exists(tagged))


# The first and the last dates mentioned: a walk of the date index each, from
# either end, stopping at the first live mention.
FIRST = Statement(lambda now: _public(now).order_by("date_from").values_list("date_from")[:1])
LAST = Statement(lambda now: _public(now).order_by("-date_from").values_list("date_from")[:1])


def period(precision: str, date_from: datetime.date) -> str:
    """The heading a mention is grouped under: its year, or its decade."""
    if precision == DateMention.Precision.DECADE:
        return f"The {date_from.year - date_from.year % 10}s"
    return str(date_from.year)


def article_url():
    """A function from an article's slug to its URL: one reverse() a page."""
    before, after = reverse("articles:article", kwargs={"slug": "slug0"}).rsplit("slug0", 1)
    return lambda slug: f"{before}{slug}{after}"


def entry(row, url_of=None) -> str:
    """A timeline entry (an <li>) from a row."""
    _, text, date_from, date_to, precision, value, mod, label, headline, slug = row
    phrase = phrase_html(precision=precision, date_from=date_from, date_to=date_to, value=value, mod=mod)
    label = f'<span class="label">{escape(label)}</span>' if label else ""
    url = (url_of or article_url())(slug)
    return mark_safe(
        f"<li>\n      {phrase}\n"
        f'      <span class="precision">(precise to the {PRECISIONS.get(precision, precision)})</span>\n'
        f"      {label}\n"
        f'      <span class="source">— <a href="{escape(url)}">{escape(headline)}</a>, '
        f"written “{escape(text)}”</span>\n    </li>")


def periods(page_rows) -> list[tuple[str, list[str]]]:
    """The page's entries under their headings, in order."""
    url_of = article_url()
    return [(heading, [entry(row, url_of) for row in group])
            for heading, group in itertools.groupby(page_rows, key=lambda row: period(row[4], row[2]))]


def year_items(query, years, current) -> str:
    """The years' links (<li> items) of the timeline's navigation: the page's
    query with its year set and its page dropped, as {% querystring year=…
    page=None %} writes it, once per page rather than once per year."""
    pairs = [(key, value) for key, values in query.lists() if key != "page" for value in values]
    keys = [key for key, _ in pairs]
    if "year" in keys:  # a year given keeps its place
        at = keys.index("year")
        before, after = pairs[:at], [pair for pair in pairs[at:] if pair[0] != "year"]
    else:
        before, after = pairs, []
    head = urlencode(before) + "&" if before else ""
    tail = "&" + urlencode(after) if after else ""
    marked = ' aria-current="page"'
    return mark_safe("".join(
        f'<li><a href="{escape(f"?{head}year={year}{tail}")}"{marked if year == current else ""}>'
        f"{year}</a></li>" for year in years))
