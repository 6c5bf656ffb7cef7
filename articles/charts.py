"""
Coverage over time: articles per month, drawn server-side as SVG bars.
The geometry is computed here; templates/includes/chart.html draws it.
"""

import datetime
import functools
import typing
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.safestring import mark_safe

HEIGHT = 80
BAR = 10
GAP = 2
MIN_MONTHS = 12  # a lone busy month still reads against a year of context
MAX_MONTHS = 240  # beyond twenty years, the last twenty


# The months' names as "%B" gives them, looked up rather than formatted per bar.
MONTH_NAMES = tuple(datetime.date(2000, month, 1).strftime("%B") for month in range(1, 13))


class Bar(typing.NamedTuple):
    month: datetime.date
    count: int
    x: int
    y: float
    height: float

    @property
    def label(self) -> str:
        return label_of(self.month, self.count)


def label_of(month: datetime.date, n: int) -> str:
    """A bar's title: the month's name, its year and its count."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}: {n} article{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Chart:
    months: list  # the first day of each month charted, oldest first
    counts: dict  # {first day of month: articles}
    top: int  # the bars' scale: the most articles in a month
    total: int
    peak: Bar | None

    width = property(lambda self: max(x_of(len(self.months)), BAR + GAP))
    height = HEIGHT

    @property
    def rects(self) -> str:
        """The bars as SVG, one per line: drawn here rather than by a
        template loop, which was most of a record page's time (240 months of
        four variables each), and in one pass over the months, without
        making a Bar of each (twenty years of bars were a sixth of a topic
        page). A title is a month's name, a year and a count: nothing in it
        to escape."""
        counts, top, parts = self.counts, self.top, []
        for i, month in enumerate(self.months):
            n = counts.get(month, 0)
            if n:
                height = height_of(n, top)
                parts.append(f'<rect x="{x_of(i)}" y="{HEIGHT - height}" width="{BAR}" '
                             f'height="{height}"><title>{label_of(month, n)}</title></rect>\n    ')
            else:
                parts.append("\n    ")
        return mark_safe("".join(parts))

    @functools.cached_property
    def bars(self) -> list[Bar]:
        """Every month as a Bar, its count, place and height."""
        return [bar_of(month, self.counts.get(month, 0), i, self.top) for i, month in enumerate(self.months)]

    @property
    def first(self):
        return self.months[0] if self.months else None

    @property
    def last(self):
        return self.months[-1] if self.months else None


def x_of(i: int) -> int:
    """Where the bar of the i-th month starts."""
    return i * (BAR + GAP)


def height_of(n: int, top: int) -> float:
    """The height of a month of `n` articles when the busiest has `top`."""
    return round(n / top * (HEIGHT - 4), 1) if n else 0


def bar_of(month: datetime.date, n: int, i: int, top: int) -> Bar:
    height = height_of(n, top)
    return Bar(month, n, x_of(i), HEIGHT - height, height)


def months_between(first: datetime.date, last: datetime.date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _months_before(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def monthly_counts(articles) -> dict:
    """{first day of month: number of articles} for a queryset of distinct
    articles; one query."""
    articles = articles.order_by().prefetch_related(None)
    if connections[articles.db].vendor == "sqlite" and timezone.get_current_timezone_name() == "UTC":
        # SQLite stores "YYYY-MM-DD HH:MM:SS" in UTC: the month is the first
        # seven characters, where TruncMonth would call a Python function per row.
        rows = (articles.annotate(month=Substr("published_at", 1, 7)).values("month")
                .annotate(n=Count("pk")).values_list("month", "n"))
        return {datetime.date(int(month[:4]), int(month[5:7]), 1): n for month, n in rows if month}
    rows = (articles.annotate(month=TruncMonth("published_at")).values("month")
            .annotate(n=Count("pk")).values_list("month", "n"))
    counts = {}
    for month, n in rows:
        day = month.date() if isinstance(month, datetime.datetime) else month
        counts[day] = counts.get(day, 0) + n
    return counts


def coverage_chart(counts: dict) -> Chart:
    if not counts:
        return Chart([], {}, 0, 0, None)
    last = max(counts)
    first = min(min(counts), _months_before(last, MIN_MONTHS - 1))
    months = list(months_between(first, last))[-MAX_MONTHS:]
    top = max(counts.values())
    total, peak_at, peak = 0, len(months) - 1, 0
    for i, month in enumerate(months):
        n = counts.get(month, 0)
        total += n
        if n and n >= peak:  # the latest of the busiest months
            peak_at, peak = i, n
    # With no article in the months charted, the last month stands for the peak.
    return Chart(months, counts, top, total, bar_of(months[peak_at], peak, peak_at, top))
