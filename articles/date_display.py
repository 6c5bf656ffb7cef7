"""
How a normalized date mention reads on the public site: no more precise than
what the text said ("July 2024", "the 1990s", "early 2024"), never less.
Pure functions of the mention's fields; no database.
"""

import calendar
import datetime
import re
from html import escape  # Django's escape() is this, behind a check for lazy text

from django.utils.safestring import mark_safe

MONTHS = [None, "January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
SEASONS = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}
ORDINALS = {"1": "first", "2": "second", "3": "third", "4": "fourth"}
# The modifier as it reads before a period ("early 2024", "the mid-1990s").
MOD_WORDS = {"START": "early", "MID": "mid-", "END": "late", "APPROX": "around"}


def _day(d: datetime.date, *, year=True) -> str:
    return f"{d.day} {MONTHS[d.month]}" + (f" {d.year}" if year else "")


def _month(d: datetime.date, *, year=True) -> str:
    return MONTHS[d.month] + (f" {d.year}" if year else "")


def _is_month_start(d):
    return d.day == 1


def _is_month_end(d):
    return d.day == calendar.monthrange(d.year, d.month)[1]


def _aligned(precision: str, start: datetime.date, end: datetime.date) -> bool:
    """Whether [start, end] is made of whole units of `precision`."""
    if precision == "day":
        return True
    if precision == "month":
        return _is_month_start(start) and _is_month_end(end)
    if precision == "year":
        return (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    if precision == "decade":
        return (_aligned("year", start, end) and start.year % 10 == 0 and end.year % 10 == 9)
    return False


def _range(precision: str, start: datetime.date, end: datetime.date) -> str:
    if precision == "day":
        if start == end:
            return _day(start)
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}–{_day(end)}"
        if start.year == end.year:
            return f"{_day(start, year=False)} – {_day(end)}"
        return f"{_day(start)} – {_day(end)}"
    if precision == "month":
        if (start.year, start.month) == (end.year, end.month):
            return _month(start)
        if start.year == end.year:
            return f"{MONTHS[start.month]}–{_month(end)}"
        return f"{_month(start)} – {_month(end)}"
    if precision == "year":
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if precision == "decade":
        if start.year // 10 == end.year // 10:
            return f"the {start.year}s"
        return f"the {start.year}s–{end.year - end.year % 10}s"
    raise ValueError(precision)


def _of_value(value: str, start: datetime.date) -> str | None:
    """The period a TIMEX3 value names, or None if it is not one we know."""
    if re.fullmatch(r"\d{3}", value):
        return f"the {value}0s"
    if re.fullmatch(r"\d{4}", value):
        return value
    m = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if m and 1 <= int(m[2]) <= 12:
        return f"{MONTHS[int(m[2])]} {m[1]}"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if m:
        try:
            return _day(datetime.date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{4})-W(\d{2})", value)
    if m:
        return f"the week of {_day(start)}"
    m = re.fullmatch(r"(\d{4})-Q([1-4])", value)
    if m:
        return f"the {ORDINALS[m[2]]} quarter of {m[1]}"
    m = re.fullmatch(r"(\d{4})-H([12])", value)
    if m:
        return f"the {ORDINALS[m[2]]} half of {m[1]}"
    m = re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", value)
    if m:
        return f"{SEASONS[m[2]]} {m[1]}"
    return None


def _with_mod(phrase: str, mod: str) -> str:
    if not mod:
        return phrase
    word = MOD_WORDS.get(mod, "")
    if phrase.startswith("the ") and mod != "APPROX":
        rest = phrase[4:]
        return f"the {word}{rest}" if word.endswith("-") else f"the {word} {rest}"
    return f"{word}{phrase}" if word.endswith("-") else f"{word} {phrase}"


def describe(*, precision: str, date_from, date_to, value: str = "", mod: str = "") -> str:
    """The mention as a reader should see it:

    5–6 July 2024 · July 2024 · 2023 · the 1990s · early 2024 · 2024–2028
    """
    if _aligned(precision, date_from, date_to):
        single = _range(precision, date_from, date_from) == _range(precision, date_from, date_to)
        phrase = _range(precision, date_from, date_to)
        return _with_mod(phrase, mod) if single else phrase
    # A range that is not whole units ("early 2024": January to April) reads
    # as the period the text named, qualified.
    named = _of_value(value, date_from)
    if named:
        return _with_mod(named, mod)
    return _range("day", date_from, date_to)


def machine_readable(*, precision: str, date_from, date_to, value: str = "", mod: str = "") -> str:
    """A valid HTML <time datetime> for a single day, month or year, else ""."""
    if mod or not _aligned(precision, date_from, date_to):
        return ""
    if precision == "day" and date_from == date_to:
        return date_from.isoformat()
    if precision == "month" and (date_from.year, date_from.month) == (date_to.year, date_to.month):
        return f"{date_from:%Y-%m}"
    if precision == "year" and date_from.year == date_to.year:
        return f"{date_from.year:04d}"
    return ""


def mention_fields(mention) -> dict:
    return {"precision": mention.precision, "date_from": mention.date_from,
            "date_to": mention.date_to, "value": mention.value, "mod": mention.mod}


def phrase_html(*, precision: str, date_from, date_to, value: str = "", mod: str = "") -> str:
    """The mention's date as it reads, in a <time> when it is exact enough
    for one (machine_readable()), else in a <span>: safe HTML."""
    fields = {"precision": precision, "date_from": date_from, "date_to": date_to, "value": value,
              "mod": mod}
    phrase, machine = escape(describe(**fields)), machine_readable(**fields)
    if machine:
        return mark_safe(f'<time datetime="{escape(machine)}" class="date-phrase">{phrase}</time>')
    return mark_safe(f'<span class="date-phrase">{phrase}</span>')
