"""Property tests for articles.tagging.dates: any text, well-formed results."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from articles.tagging.dates import MODS, PRECISIONS, find_dates

# TIMEX3 value grammar for each precision.
VALUE_GRAMMAR = {
    "day": re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    "week": re.compile(r"(\d{4})-W(\d{2})(-WE)?"),
    "month": re.compile(r"(\d{4})-(\d{2})"),
    "quarter": re.compile(r"(\d{4})-Q([1-4])"),
    "half": re.compile(r"(\d{4})-H([12])"),
    "season": re.compile(r"(\d{4})-(SP|SU|FA|WI)"),
    "year": re.compile(r"(\d{4})"),
    "decade": re.compile(r"(\d{3})"),
}
SEASON_FIRST_MONTH = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


def month_end(y, m):
    return date(y, m, monthrange(y, m)[1])


def period(precision, value):
    """First and last day of the period a TIMEX3 value names."""
    g = VALUE_GRAMMAR[precision].fullmatch(value)
    assert g, (precision, value)
    y = int(g[1])
    if precision == "day":
        d = date(y, int(g[2]), int(g[3]))
        return d, d
    if precision == "week":
        monday = date.fromisocalendar(y, int(g[2]), 1)
        if g[3]:
            return monday + timedelta(days=5), monday + timedelta(days=6)
        return monday, monday + timedelta(days=6)
    if precision == "month":
        return date(y, int(g[2]), 1), month_end(y, int(g[2]))
    if precision == "quarter":
        q = int(g[2])
        return date(y, 3 * q - 2, 1), month_end(y, 3 * q)
    if precision == "half":
        h = int(g[2])
        return date(y, 6 * h - 5, 1), month_end(y, 6 * h)
    if precision == "season":
        first = SEASON_FIRST_MONTH[g[2]]
        ly, lm = (y + 1, 2) if first == 12 else (y, first + 2)
        return date(y, first, 1), month_end(ly, lm)
    if precision == "year":
        return date(y, 1, 1), date(y, 12, 31)
    return date(y * 10, 1, 1), date(y * 10 + 9, 12, 31)


FRAGMENTS = [
    "July", "5", "-", "6", "–", " ", "2024", "19", "20", "0s", "’", "'", "the", "last", "next",
    "this", "year", "week", "month", "Monday", "to", "and", "between", "from", "Q1", "H2",
    "first", "quarter", "half", "of", "summer", "winter", "fall", "ago", "two", "early",
    "mid-", "late", "end of", "around", "May", "in", ",", ".", "th", "Sept.", "31", "29",
    "February", "/", "28", "1990s", "(", ")", "will", "was", "\n", "İ", "tomorrow", "Today",
    "December", "January", "99", "$", "%",
    # vocabulary of the newer patterns
    "weekend", "Weekend", "week 53", "Week", "Q3", "Q4", "fourth", "of the year",
    "day before", "day after", "yesterday", "Friday", "Sunday", "Times", "Good", "Night",
    "1, 2 and 3", "1,", "and 3", "&", "fall of", "autumn", "postponed until", "moved to",
    "would", "starts", "is due", "a.m.", "by", "for", "[", "]", "week of", "last week of",
    "2025", "53", "2020", "2026", "October", "first two months of", "last 3 months of",
]

texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=40).map(
        "".join),
)
published_dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=600, deadline=None)
@given(text=texts, published=published_dates)
@example(text="on 1, 2 and 3 August (Friday) week 53 of 2021", published=date(2024, 7, 2))
@example(text="the first week of February, the weekend, Q4, the fall of 2022",
         published=date(2024, 12, 29))
def test_find_dates_never_crashes_and_results_are_well_formed(text, published):
    matches = find_dates(text, published)
    for m in matches:
        assert 0 <= m.start < m.end <= len(text)
        assert m.text == text[m.start:m.end]
        assert m.date_from <= m.date_to
        assert m.precision in PRECISIONS
        assert m.mod in set(MODS) | {None}
        first, last = period(m.precision, m.value)
        # The value's period holds date_from.  Without a modifier it starts
        # there and a range ("July 5-6", "2024-28") may run on past it; a
        # modifier may narrow the days ("the first two months of the year").
        assert first <= m.date_from <= last, m
        if m.mod is None:
            assert first == m.date_from, m
            assert m.date_to >= last, m
    for a, b in zip(matches, matches[1:]):
        assert a.start < b.start
        assert a.end <= b.start


def test_period_helper_knows_every_precision():
    assert period("week", "2024-W26-WE") == (date(2024, 6, 29), date(2024, 6, 30))
    assert period("season", "2023-WI") == (date(2023, 12, 1), date(2024, 2, 29))
    assert period("decade", "199") == (date(1990, 1, 1), date(1999, 12, 31))
    assert set(VALUE_GRAMMAR) == set(PRECISIONS)
