"""Find date expressions in news text and normalise them to TimeML TIMEX3 values.

``find_dates(text, published)`` returns every date expression in ``text`` as a
:class:`DateMatch`, resolved against ``published`` (the article's publication
date).  The module is pure: standard library only, no I/O.

Resolution rules
----------------
* Explicit dates ("14 August 2017", "2022-09-29", "March 2022") are taken as
  written.
* Relative expressions ("last year", "next week", "yesterday", "two years ago",
  "this summer") are counted from ``published``.
* A day or month without a year ("February 27", "in March") is placed in the
  year before, of, or after publication:

  - past tense nearby ("was", "met", "said", "last", "back in", most "-ed"
    verbs, ...): the most recent candidate that starts no later than a week
    after publication;
  - future tense nearby ("will", "would", "might", "is set to", "plans to",
    "scheduled", "expected", "is due", "upcoming", "next", "to be held",
    "postponed/delayed until", "moved/pushed back to" right before the date,
    and the present of scheduling verbs: "starts", "opens", "begins", ...):
    the earliest candidate that ends no earlier than a week before
    publication;
  - no tense cue: the publication year, unless that puts the date more than
    six months (183 days) from publication and another year is nearer.

  The week of slack absorbs publication lag and time zones.  Tense is read
  from the same sentence: the cue nearest to the expression wins (cues after
  it count as 1.5x further away), so in reported speech the reported verb
  decides ("said he would visit in August" is future); generic "-ed" words
  count only when no explicit cue is present.  "a.m.", "Mr." and other
  abbreviations do not end the sentence.
* "last April" is the latest April that ended before publication, "next May"
  the first May that starts after it, "this June" the June of the publication
  year.  Weekdays: "last Friday" / "next Friday" are strictly before / after
  publication, "this Friday" is in the publication week, a bare "Saturday" is
  the nearest one on or before publication (on or after it with future tense).
  A weekday in brackets or apposition beside a day ("5 July 2024 (Friday)",
  "Friday (July 5)", "July 5, Friday") joins that date's mention instead of
  being resolved on its own.  A weekday inside a name is not a date: after a
  holiday adjective ("Good Friday", "Black Friday"), before a name word
  ("Saturday Night Live", "Sunday Times"), or before any capitalised word
  unless a preposition or verb precedes it ("On Friday Hun Sen said").
* Weeks and weekends have precision "week".  "last/next week", "the week of
  June 10" and "week 27" are ISO weeks (2024-W27).  "the first (second, ...,
  last) week of August" is the ISO week holding the month's first (...,
  last) Thursday, the ISO 8601 rule for a year's first week applied to the
  month, so most of its days are in that month.  Weekends are Saturday and
  Sunday, valued 2024-W26-WE: "this weekend" is the publication week's,
  "next weekend" the next ISO week's, "last weekend" the latest one over,
  and "the weekend" follows the tense, else the nearer one.
* Quarters and halves with a year ("Q1 2024", "the second half of 2025",
  "the first half of the year" = the publication year); numbered quarters
  without one ("in Q3", "the fourth quarter") take a year like a month does.
  Bare halves ("the first half") and "the last quarter" are left alone:
  they are usually a match or the latest quarter.
* "end (beginning, start, middle) of the year/month/week" is the publication
  year/month/week with END (START, MID).
* Lists: "2024 and 2025" are two years; "1, 2 and 3 August" is one range
  when the days are consecutive, otherwise one day per number.
* "the day before yesterday" / "the day after tomorrow" are two days off.
* "the first two months of the year" is a range of months, as "January-February"
  is: precision month, the first month's value, January 1 to the end of
  February ("the last three months of 2023": 2023-10, October-December).
* A day range ("July 5-6") gets precision "day", value = first day and
  ``date_to`` = last day.  A year range ("2024-28") gets precision "year",
  value = first year.  "August 21 and 23" is one range only after "between"
  or when the days are consecutive; otherwise it yields two days.
* "early/mid/late X", "beginning/middle/end of X", "around/circa X" set
  ``mod`` (START, MID, END, APPROX) on anything coarser than a day.
* Seasons are northern-hemisphere meteorological seasons; "winter 2023"
  (2023-WI) runs from 1 December 2023 to the end of February 2024, "the
  fall of 2022" (2022-FA) from September to November.
* Match text never includes a leading "the" or the prepositions that only
  served as context ("in", "from", "between").

Bare four-digit years (1900-2099) need context: a preposition or modifier
before them ("in", "since", "by", "of", "early", "mid-", ...), "the" plus a
singular noun ("the 2024 election"), a possessive ("2023's") or brackets.  A
following count noun ("2000 troops", "2000 years") or a preceding quantity
word ("a total of 2000", "$2000") rules them out.

Deliberately not matched: durations ("two days", "for three years"), times of
day, ordinals ("70th anniversary"), counts and money, numeric dates other
than ISO (01/02/2024 is ambiguous), abbreviated weekdays, lower-case or
all-caps month names, "May"/"March" without date context ("May" needs "in",
"since", ... or "by/for/the May" with no capitalised word after), bare seasons
("in summer"), "the last year" / "the past year" (durations).

Speed: a regex scanning a 4,000-character article costs tens of
microseconds in CPython, too much to run two dozen of them.  Instead
``str.find`` locates literal anchors (month-name stems, "19"/"20", "year",
"day", ...) and each pattern is tried with an anchored ``.match()`` only
where an expression containing that anchor could start.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, timedelta

__all__ = ["DateMatch", "MODS", "PRECISIONS", "find_dates"]

PRECISIONS = ("day", "week", "month", "quarter", "half", "season", "year", "decade")
MODS = ("START", "MID", "END", "APPROX")


@dataclass(frozen=True)
class DateMatch:
    text: str
    start: int
    end: int
    precision: str
    value: str
    date_from: date
    date_to: date
    mod: str | None = None


# --------------------------------------------------------------------------
# Vocabulary

_MONTHS_FULL = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)
_MONTH_NUM = {name[:3].lower(): i for i, name in enumerate(_MONTHS_FULL, 1)}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_NUM = {name.lower(): i for i, name in enumerate(_WEEKDAYS)}

_FULL_MONTH_RE = "(?:" + "|".join(_MONTHS_FULL) + r")\b"
# Abbreviations are only accepted with a day or year attached (checked in the
# handlers), so "Mar" or "Jan" on their own never match.
_MONTH_RE = _FULL_MONTH_RE + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
_WEEKDAY_RE = "(?:" + "|".join(_WEEKDAYS) + ")"

# A day of the month.  Not glued to other digits/letters, not a clock time.
_DAY_RE = (
    r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?"
    r"(?![0-9A-Za-z]|[.,:][0-9]|\s*[ap]\.?m\b)"
)
_YEAR4_RE = r"[12][0-9]{3}(?![0-9A-Za-z]|[.,][0-9])"
_BARE_YEAR_RE = r"(?:19|20)[0-9]{2}"
_RANGE_SEP_RE = r"(?:\s*[-–—]\s*|\s+(?:to|through|thru|until|till|and)\s+)"
# "... of this year", "July 5 last year"
_REL_YEAR_TAIL_RE = r"\s+(?:of\s+)?(?P<ry>this|last|next)\s+year\b"

_REL_OFFSET = {"last": -1, "this": 0, "current": 0, "next": 1, "coming": 1, "upcoming": 1}

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

_SEASONS = {  # name -> (TIMEX code, first month)
    "spring": ("SP", 3), "summer": ("SU", 6), "autumn": ("FA", 9),
    "fall": ("FA", 9), "winter": ("WI", 12),
}

_ORDINAL = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "fourth": 4, "4th": 4,
}

# Nouns that turn a number into a count ("2000 troops", "in 2000 years").
_COUNT_NOUNS = (
    "troops soldiers personnel people persons residents citizens nationals villagers "
    "workers employees staff students pupils teachers children kids families households "
    "homes houses buildings cases deaths patients victims members participants delegates "
    "visitors tourists refugees migrants voters votes seats units vehicles cars trucks "
    "ships boats aircraft planes tons tonnes kg kilograms km kilometres kilometers miles "
    "metres meters feet hectares acres dollars euros yen riels riel baht yuan won rupees "
    "pounds usd times copies pages words items pieces rounds shares jobs crew officers "
    "police officials athletes beds schools villages mw gw kw mm cm ml litres liters "
    "barrels points percent calories hours minutes seconds days weeks months years "
    "million billion trillion thousand hundred strong"
).split()
# Plural nouns that still follow a year ("the 2024 elections").
_EVENT_PLURALS = frozenset(
    "elections games olympics talks polls floods protests riots championships finals "
    "hearings negotiations midterms accords celebrations festivities attacks bombings "
    "sanctions reforms results accounts figures statistics".split()
)

# --------------------------------------------------------------------------
# Main patterns, each tried with an anchored .match() (see _ANCHORS)

_MDY = re.compile(
    rf"""(?<![\w])(?P<m1>{_MONTH_RE})\s+(?P<d1>{_DAY_RE})
    (?:,?\s+(?P<y1>{_YEAR4_RE}))?
    (?:(?P<sep>{_RANGE_SEP_RE})(?:(?P<m2>{_MONTH_RE})\s+)?(?P<d2>{_DAY_RE})
       (?:,?\s+(?P<y2>{_YEAR4_RE}))?)?
    (?:{_REL_YEAR_TAIL_RE})?""",
    re.X,
)

_DMY = re.compile(
    rf"""(?<![\w.,$€£¥/:-])(?P<d1>{_DAY_RE})\s+(?:of\s+)?(?P<m1>{_MONTH_RE})
    (?:,?\s+(?P<y1>{_YEAR4_RE}))?
    (?:(?P<sep>{_RANGE_SEP_RE})(?P<d2>{_DAY_RE})\s+(?:of\s+)?(?P<m2>{_MONTH_RE})
       (?:,?\s+(?P<y2>{_YEAR4_RE}))?)?
    (?:{_REL_YEAR_TAIL_RE})?""",
    re.X,
)

# "5-6 July", "25-29 November 2024": both days share the month.
_DMY_RANGE = re.compile(
    rf"""(?<![\w.,$€£¥/:-])(?P<d1>{_DAY_RE})(?P<sep>{_RANGE_SEP_RE})
    (?P<d2>{_DAY_RE})\s+(?:of\s+)?(?P<m2>{_MONTH_RE})
    (?:,?\s+(?P<y2>{_YEAR4_RE})|{_REL_YEAR_TAIL_RE})?""",
    re.X,
)

# "1, 2 and 3 August", "August 1, 2 and 3": lists of days sharing a month.
_DMY_LIST = re.compile(
    rf"""(?<![\w.,$€£¥/:-])(?P<list>{_DAY_RE}(?:\s*,\s*{_DAY_RE})+),?\s+(?:and|&)\s+
    (?P<d2>{_DAY_RE})\s+(?:of\s+)?(?P<m2>{_MONTH_RE})
    (?:,?\s+(?P<y2>{_YEAR4_RE})|{_REL_YEAR_TAIL_RE})?""",
    re.X,
)
_MDY_LIST = re.compile(
    rf"""(?<![\w])(?P<m2>{_MONTH_RE})\s+(?P<list>{_DAY_RE}(?:\s*,\s*{_DAY_RE})+),?\s+(?:and|&)\s+
    (?P<d2>{_DAY_RE})(?:,?\s+(?P<y2>{_YEAR4_RE})|{_REL_YEAR_TAIL_RE})?""",
    re.X,
)
_DAY_NUMBER = re.compile(r"[0-9]+")

_MONTH = re.compile(
    rf"""(?<![\w])(?P<m1>{_MONTH_RE})
    (?:(?P<sep>\s*[-–—/]\s*|\s+(?:to|through|until|till|and)\s+)(?P<m2>{_FULL_MONTH_RE}))?
    (?:,?\s+(?:of\s+)?(?P<y>{_YEAR4_RE})|{_REL_YEAR_TAIL_RE})?""",
    re.X,
)

_ISO = re.compile(
    r"(?<![\w-])(?P<y>[12][0-9]{3})(?P<s>[-/])(?P<m>0[1-9]|1[0-2])(?P=s)"
    r"(?P<d>0[1-9]|[12][0-9]|3[01])(?![0-9])"
)

_YEAR = re.compile(
    rf"(?<![\w$€£¥.,/:'’])(?P<y>{_BARE_YEAR_RE})(?![\w]|[.,:/][0-9]|\s*[-–—]\s*[0-9])"
)

_YEAR_RANGE = re.compile(
    rf"(?<![\w$€£¥.,/:-])(?P<y1>{_BARE_YEAR_RE})\s*[-–—/]\s*"
    rf"(?P<y2>{_BARE_YEAR_RE}|[0-9]{{2}})(?![\w]|[.,:/-][0-9])"
)
# "from 2024 to 2028", "between 2020 and 2022" (the keyword stays outside).
_YEAR_RANGE_WORDS = re.compile(
    rf"(?:(?<=[Ff]rom\s)|(?<=[Bb]etween\s))(?P<y1>{_BARE_YEAR_RE})"
    rf"\s+(?:to|and|through|until|till)\s+(?P<y2>{_BARE_YEAR_RE})(?![\w]|[.,][0-9])"
)

_DECADE = re.compile(
    r"(?:(?<![\w$.,])(?P<c4>[12][0-9]{2}0)['’]?s"
    r"|['’](?P<c2>[0-9]0)s"
    r"|(?<=[Tt]he\s)(?P<c2b>[0-9]0)s)\b"
)

# "Q1 2024", "H2 2023", "2024 Q1"
_QH_CODE = re.compile(
    rf"(?<![\w])(?:(?:Q(?P<q>[1-4])|H(?P<h>[12]))(?:\s+of\s+|,?\s*)(?P<y>{_BARE_YEAR_RE})"
    rf"|(?P<y2>{_BARE_YEAR_RE})\s*(?:Q(?P<q2>[1-4])|H(?P<h2>[12])))(?![\w]|[.,][0-9])"
)

_QH_WORDS = re.compile(
    rf"""(?<![\w])(?P<ord>(?i:first|second|third|fourth|final|last|latter|1st|2nd|3rd|4th))
    [\s-]+(?P<unit>(?i:quarter|half))
    (?:(?:\s+of\s+|,?\s+)
       (?:(?P<y>{_BARE_YEAR_RE})(?![\w]|[.,][0-9])
         |(?:the\s+)?(?P<ry>(?i:this|last|next|current|coming))\s+year\b)
     |\s+of\s+the\s+(?P<ty>(?i:year))\b
     |(?P<bare>)(?![\w-]|\s+of\b))""",
    re.X,
)
# "in Q3", "Q3 results": a quarter with its year left to context.  Bare "H1"
# and "H2" stay out (hydrogen, headings).
_Q_BARE = re.compile(r"(?<![\w])Q(?P<q>[1-4])(?![\w]|[-–/.,][0-9])")
_Q_BARE_BEFORE = re.compile(
    r"(?<![\w])(?:in|the|for|during|by|of|since|until|till|from|to|over|its|their|and|or"
    r"|through|throughout|before|after|between|early|late|mid|a)" + r"(?:\s*-\s*|\s+)\Z",
    re.I,
)
# "the first two months of the year": a range of months (2024-01, January to
# the end of February; "the last three months of 2023": 2023-10 to December).
_MONTHS_OF_YEAR = re.compile(
    rf"""(?<![\w])(?P<ord>(?i:first|last|final))\s+(?P<n>(?i:two|three|four|five|six|seven
    |eight|nine|ten|eleven|[2-9]|1[01]))\s+months\s+of\s+
    (?:(?P<y>{_BARE_YEAR_RE})(?![\w]|[.,][0-9])|the\s+(?P<ty>year)\b
      |(?:the\s+)?(?P<ry>(?i:this|last|next|current|coming))\s+year\b)""",
    re.X,
)
# "by the end of the year": the publication year (month, week) with a modifier.
_END_OF_THE = re.compile(
    r"(?<![\w])(?P<mod>(?i:end|beginning|start|middle))\s+of\s+the\s+"
    r"(?P<unit>(?i:year|month|week))(?![\w])"
)
_END_OF_THE_LEAD = re.compile(r"(?<![\w])(?:end|beginning|start|middle)\s+\Z", re.I)
_WEEKEND = re.compile(
    r"(?<![\w])(?:(?P<rel>(?i:this|last|next|coming|past))|(?i:the))\s+(?P<w>[Ww]eekend)"
    r"(?![\w-])"
)
_WEEKEND_LEAD = re.compile(
    r"(?<![\w])(?:this|last|next|coming|past|the)\s+\Z", re.I
)
_WEEK_OF_MONTH = re.compile(
    rf"""(?<![\w])(?P<ord>(?i:first|second|third|fourth|last|final|1st|2nd|3rd|4th))
    [\s-]+week\s+of\s+(?P<m>{_FULL_MONTH_RE})
    (?:,?\s+(?P<y>{_YEAR4_RE})|{_REL_YEAR_TAIL_RE})?""",
    re.X,
)
_WEEK_OF_DAY = re.compile(
    rf"""(?<![\w])[Ww]eek\s+of\s+
    (?:(?P<m1>{_MONTH_RE})\s+(?P<d1>{_DAY_RE})|(?P<d2>{_DAY_RE})\s+(?:of\s+)?(?P<m2>{_MONTH_RE}))
    (?:,?\s+(?P<y>{_YEAR4_RE}))?""",
    re.X,
)
_WEEK_NUMBER = re.compile(
    rf"(?<![\w])[Ww]eek\s+(?P<n>5[0-3]|[1-4][0-9]|0?[1-9])(?![\w]|[.,:/-][0-9])"
    rf"(?:(?:\s+of|,)\s+(?P<y>{_YEAR4_RE}))?"
)
# "40 hours a week 5 days": a rate, not week number 5.
_WEEK_RATE_BEFORE = re.compile(r"(?<![\w])(?:a|per|each|every)\s+\Z", re.I)
# "week 2 of the trial" counts weeks of something else.
_OF_SOMETHING = re.compile(r"\s+(?:of|in)\s+(?:the|a|an|his|her|its|their)\b", re.I)
_REL_QUARTER = re.compile(
    r"(?<![\w])(?P<rel>(?i:this|last|next|current|coming))\s+quarter\b(?!\s+of\b)"
)

_REL_UNIT = re.compile(
    r"(?<![\w])(?P<rel>(?i:last|next|this|coming|upcoming|current))\s+"
    r"(?P<unit>(?i:year|month|week))(?![\w])"
)
_DAY_WORD = re.compile(r"(?<![\w])(?P<w>(?i:yesterday|today|tomorrow))(?![\w])")
_NUMBER_RE = "(?:[0-9]{1,2}|" + "|".join(_NUMBER_WORDS) + ")"
_AGO = re.compile(
    rf"(?<![\w])(?P<n>(?i:{_NUMBER_RE}))\s+(?P<unit>(?i:day|week|month|year))s?\s+(?i:ago)(?![\w])"
)
_WEEKDAY = re.compile(rf"(?<![\w])(?P<wd>{_WEEKDAY_RE})(?![\w])")
_SEASON = re.compile(
    rf"(?<![\w])(?P<s>(?i:spring|summer|autumn|fall|winter))"
    rf"(?:\s+(?P<of>of\s+)?(?P<y>{_BARE_YEAR_RE})(?![\w]|[.,][0-9]))?"
)

# --------------------------------------------------------------------------
# Look-behind checks, searched in a few characters before a candidate.  They
# end in \Z, which matches at the search's endpos.

_CTX_SEP = r"(?:\s*-\s*|\s+)"
_WEEKDAY_BEFORE = re.compile(rf"(?<![\w]){_WEEKDAY_RE},?\s+(?:the\s+)?\Z")
_BETWEEN_BEFORE = re.compile(r"(?<![\w])[Bb]etween\s+\Z")
_REL_BEFORE = re.compile(r"(?<![\w-])(?P<rel>last|next|this|coming)\s+\Z", re.I)
_THE_BEFORE = re.compile(r"(?<![\w])the\s+\Z", re.I)
_EVERY_BEFORE = re.compile(r"(?<![\w])(?:every|each)\s+\Z", re.I)
_MOD_BEFORE = re.compile(
    r"(?<![\w-])(?:(?P<START>early|beginning\s+of|start\s+of)|(?P<MID>mid|middle\s+of)"
    r"|(?P<END>late|end\s+of)|(?P<APPROX>around|circa))" + _CTX_SEP + r"\Z",
    re.I,
)
_YEAR_CONTEXT = re.compile(
    r"(?:(?<![\w])(?:in|since|by|until|till|of|from|to|and|or|between|before|after|during"
    r"|through|throughout|for|early|late|mid|around|circa|year|as\s+of|beyond|pre|post)"
    + _CTX_SEP + r"|\(\s*)\Z",
    re.I,
)
# "a total of 2000", "more than 2000", "$2000": counts, whatever follows.
_COUNT_BEFORE = re.compile(
    r"(?:(?<![\w])(?:total|number|sum|tally|more|less|fewer|than|about|some|over|nearly|almost"
    r"|approximately|roughly|least|only|just|up|estimated|additional|another)\s+(?:of\s+|to\s+)?"
    r"|[$€£¥]\s*|(?<![\w])(?:US|USD|EUR|riels?|yen|baht)\s*)\Z",
    re.I,
)
_COUNT_AFTER = re.compile(
    r"(?:\s+|\s*-\s*)(?:" + "|".join(_COUNT_NOUNS) + r")(?![\w])|\s*(?:%|per\s*cent)",
    re.I,
)
_POSSESSIVE_AFTER = re.compile(r"['’]s(?![\w])")
_NEXT_WORD = re.compile(r"\s+([A-Za-z][\w-]*)")
_MONTH_CONTEXT = re.compile(
    r"(?:(?<![\w])(?:in|since|until|till|by|for|during|through|throughout|of|from|to|and|or"
    r"|between|before|after|early|late|mid|around|last|next|this|coming|upcoming|a|an|the"
    r"|his|her|its|their|our|my|your)" + _CTX_SEP + "|" + _FULL_MONTH_RE + r",\s+"
    # a possessive: "Kishida's November visit", "[Kishida’s] November"
    r"|(?<=[\w\]])['’]s\]?\s+|(?<=s)['’]\s+)\Z",
    re.I,
)
# "May" is usually the verb: it needs a firmer lead-in than other months.
_MAY_CONTEXT = re.compile(
    r"(?:(?<![\w])(?:in|since|until|till|during|through|throughout|from|between|early|late|mid"
    r"|last|next|this|coming|(?:end|beginning|start|middle)\s+of)" + _CTX_SEP
    + "|" + _FULL_MONTH_RE + r"(?:\s*,\s*|\s+(?:and|or|to|through|until)\s+|\s*[-–—/]\s*))\Z",
    re.I,
)
# Weaker lead-ins for "May" ("by May,", "planned for May.", "the May elections"),
# accepted only when no capitalised word follows ("by May Chan", "the May Day").
_MAY_WEAK_CONTEXT = re.compile(
    r"(?:(?<![\w])(?:by|for|of|the|a|its|their)|(?<=[\w\]])['’]s\]?)\s+\Z", re.I)
_MAY_WEAK_AFTER = re.compile(r"\s*(?:[,.;:!?)]|[a-z]|\Z)")

# A weekday that is part of a name: "Good Friday Agreement", "The Sunday
# Times", "Saturday Night Live".  Holiday adjectives before it, or a following
# capitalised word with nothing date-like before, make it a name.
_HOLIDAY_ADJECTIVES = frozenset(
    "good black super easter palm ash bloody cyber holy maundy shrove giving fat clean "
    "blue green great whit low passion orthodox".split()
)
_NAME_WORDS_AFTER = frozenset(
    "night nights times telegraph mirror post express herald tribune review magazine "
    "club school group market people sport sports mail star independent observer "
    "morning evening edition session".split()
)
# Words after which "Friday Hun Sen said" still reads as a date.
_WEEKDAY_LEADS = frozenset(
    "on last next this coming since until till by from before after early late and or "
    "but said says told announced".split()
)
_PREV_WORD = re.compile(r"(?<![\w'’-])([A-Za-z][\w'’-]*)[\s,]*\Z")
_NEXT_CAP_WORD = re.compile(r"\s+([A-Z][\w'’-]*)")
# Between a date and a weekday that names the same day: "5 July 2024
# (Friday)", "July 5, Friday", "Friday (July 5)".
_APPOSITION_AFTER = re.compile(r"\s*(?:,|\(|\[)?\s*\Z")
_APPOSITION_BEFORE = re.compile(r"\s*[(\[]\s*\Z")
_CLOSE_BRACKET = re.compile(r"\s*[)\]]")

_DAY_BEFORE_AFTER = re.compile(
    r"(?<![\w])(?i:day)\s+(?P<rel>(?i:before|after))\s+(?P<w>(?i:yesterday|tomorrow))(?![\w])"
)

# "2024 and 2025", "2023, 2024 or 2025": a year in a list of years.
_YEAR_LIST_AFTER = re.compile(
    r"(?:\s*,\s*|\s+(?:and|or|&)\s+)(?:19|20)[0-9]{2}(?![\w]|[.,:/][0-9])"
)

# --------------------------------------------------------------------------
# Tense

_PAST, _FUTURE = "past", "future"

# Modals and the present tense of scheduling verbs ("the summit starts on
# Wednesday") speak of what is still to come; in reported speech the nearest
# cue wins, so "said he would visit in August" reads as future.
_FUTURE_WORDS = frozenset(
    "will shall won't won’t would wouldn't wouldn’t might upcoming forthcoming next coming "
    "scheduled slated expected planned planning proposed tomorrow starts begins opens "
    "resumes kicks arrives departs convenes reconvenes".split()
)
_PAST_WORDS = frozenset(
    "was were had did been held met visited said told paid signed announced attended took "
    "came went gave made began saw last ago earlier previously since yesterday".split()
)
# "<word> to" announces something still to come: "plans to", "is set to".
_FUTURE_BEFORE_TO = frozenset(
    "plan plans planning aim aims intend intends expect expects hope hopes agreed decided "
    "pledged promised vowed want wants set due going poised".split()
)
# "postponed until November": the new date is ahead, whatever tense the
# postponing verb has.  Verbs that also mean travel or motion ("moved to
# Tokyo in May") count only when "to/until" leads straight into the date.
_POSTPONED = frozenset("postponed delayed deferred rescheduled adjourned".split())
_MOVED = frozenset("moved pushed back forward brought".split())
_UNTIL = frozenset(("to", "until", "till"))
# "-ed" words that are not (reliably) past-tense verbs.
_NOT_PAST_ED = frozenset(
    "need indeed hundred speed seed feed proceed exceed succeed embed shed wed weed breed "
    "greed bleed based united related limited detailed advanced interested concerned "
    "supposed naked sacred wicked kindred rugged skilled talented aged beloved armed "
    "called named dedicated renewed increased improved enhanced deepened strengthened "
    "expanded sustained continued".split()
) | _POSTPONED
_BE_PRESENT = frozenset(("is", "are", "it's", "it’s"))
_DATE_LEADS = frozenset(("the", "early", "mid", "late", "next"))
_PUNCT = ".,;:!?\"'()[]“”‘’—–-"
_SENTENCE_END = (".", "!", "?", ";")
# Tokens ending in "." that do not end a sentence ("10 a.m. on Wednesday").
_ABBREVIATIONS = frozenset(
    "mr. mrs. ms. dr. st. no. gen. lt. col. sen. rep. gov. prof. inc. co. ltd. jr. sr. vs. "
    "jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec. approx. est.".split()
)
_CUE_WORDS = {**dict.fromkeys(_FUTURE_WORDS, _FUTURE), **dict.fromkeys(_PAST_WORDS, _PAST)}


def _ends_sentence(token: str) -> bool:
    tok = token.rstrip("\"'”’)")
    if not tok.endswith(_SENTENCE_END):
        return False
    return not (tok.endswith(".") and (tok in _ABBREVIATIONS or "." in tok[:-1]))


def _tense(text: str, start: int, end: int) -> str | None:
    """Past, future or None, from the cue nearest to text[start:end].

    This runs for many yearless dates, so it is a plain loop over
    whitespace-split words rather than one more regex.
    """
    left = text[max(0, start - 100):start].lower()
    right = text[end:end + 60].lower()
    left = left[left.rfind("\n") + 1:]
    cut = right.find("\n")
    if cut >= 0:
        right = right[:cut]
    before = left.split()
    for i in range(len(before) - 1, -1, -1):
        if _ends_sentence(before[i]):
            before = before[i + 1:]
            break
    after = right.split()
    for i, tok in enumerate(after):
        if _ends_sentence(tok):
            after = after[:i + 1]
            break
    tokens = [t.strip(_PUNCT) for t in before + after]
    n_before, n = len(before), len(tokens)
    best, best_dist, ed_seen = None, 1e9, False
    prev = ""
    for i, w in enumerate(tokens):
        kind = _CUE_WORDS.get(w)
        if kind is None:
            if w in _UNTIL and (prev in _POSTPONED or (prev in _MOVED and (
                    i == n_before - 1 or i == n_before - 2 and tokens[i + 1] in _DATE_LEADS))):
                kind = _FUTURE
            elif w == "to":
                if prev == "due":
                    # "is due to open", not "cancelled due to rain"
                    if i > 1 and tokens[i - 2] in _BE_PRESENT:
                        kind = _FUTURE
                elif prev in _FUTURE_BEFORE_TO or (i + 1 < n and tokens[i + 1] == "be"):
                    kind = _FUTURE
            elif w == "due":
                # "is due on Wednesday", not "cancelled due to rain"
                if prev in _BE_PRESENT or i + 1 >= n or tokens[i + 1] != "to":
                    kind = _FUTURE
            elif w == "in" and prev == "back":
                kind = _PAST
            elif w.endswith(("'ll", "’ll")):
                kind = _FUTURE
            elif (w.endswith("ed") and len(w) > 4 and prev != "be"
                  and w not in _NOT_PAST_ED):
                ed_seen = True
        elif kind is _PAST and prev == "be":
            kind = None  # "will be held", "to be held": the auxiliary decides
        prev = w
        if kind is not None:
            dist = n_before - i if i < n_before else (i - n_before + 1) * 1.5
            if dist < best_dist:
                best, best_dist = kind, dist
    if best is not None:
        return best
    return _PAST if ed_seen else None


# --------------------------------------------------------------------------
# Calendar helpers

_SLACK = timedelta(days=7)
_HALF_YEAR_DAYS = 183


def _month_end(y: int, m: int) -> date:
    return date(y, m, monthrange(y, m)[1])


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _distance(pub: date, span: tuple[date, date]) -> int:
    a, b = span
    if pub < a:
        return (a - pub).days
    if pub > b:
        return (pub - b).days
    return 0


def _pick(cands, pub: date, tense: str | None):
    if tense == _PAST:
        ok = [c for c in cands if c[1][0] <= pub + _SLACK]
        if ok:
            return max(ok, key=lambda c: c[1][0])
    elif tense == _FUTURE:
        ok = [c for c in cands if c[1][1] >= pub - _SLACK]
        if ok:
            return min(ok, key=lambda c: c[1][0])
    for c in cands:
        if c[0] == pub.year and _distance(pub, c[1]) <= _HALF_YEAR_DAYS:
            return c
    return min(cands, key=lambda c: (_distance(pub, c[1]), c[0] != pub.year))


def _choose_year(make, pub: date, tense):
    """Pick the year for a yearless expression; ``make(y)`` gives its span.

    ``tense`` is a callable, only consulted when the tenses would disagree
    (reading the sentence is the expensive part).
    """
    cands = []
    for y in (pub.year - 1, pub.year, pub.year + 1):
        if 1 <= y <= 9998:
            try:
                cands.append((y, make(y)))
            except ValueError:  # 29 February outside leap years
                pass
    if not cands:
        return None
    neutral = _pick(cands, pub, None)
    if _pick(cands, pub, _PAST) == neutral == _pick(cands, pub, _FUTURE):
        return neutral
    return _pick(cands, pub, tense())


def _season_span(y: int, first_month: int) -> tuple[date, date]:
    ey, em = _add_months(y, first_month, 2)
    return date(y, first_month, 1), _month_end(ey, em)


def _week(d: date) -> tuple[str, date, date]:
    iso = d.isocalendar()
    monday = d - timedelta(days=d.weekday())
    return f"{iso[0]:04d}-W{iso[1]:02d}", monday, monday + timedelta(days=6)


# --------------------------------------------------------------------------
# Handlers: (match, context) -> iterable of DateMatch


class _Ctx:
    __slots__ = ("text", "pub", "_tenses", "bare_weekdays")

    def __init__(self, text: str, pub: date):
        self.text = text
        self.pub = pub
        self._tenses: dict[tuple[int, int], str | None] = {}
        self.bare_weekdays: list[DateMatch] = []

    def tense(self, start: int, end: int) -> str | None:
        key = (start, end)
        if key not in self._tenses:
            self._tenses[key] = _tense(self.text, start, end)
        return self._tenses[key]

    def year_for(self, s: int, e: int, make) -> int | None:
        """The year a yearless expression at s..e means (``make(y)`` gives its
        first and last day in year y), by the publication date and, where
        they disagree, the tense; None if no year fits."""
        picked = _choose_year(make, self.pub, lambda: self.tense(s, e))
        return picked[0] if picked else None

    def match(self, s, e, precision, value, d_from, d_to, mod=None) -> DateMatch:
        return DateMatch(self.text[s:e], s, e, precision, value, d_from, d_to, mod)

    def year_match(self, s, e, y1, y2=None, mod=None) -> DateMatch:
        return self.match(s, e, "year", f"{y1:04d}", date(y1, 1, 1), date(y2 or y1, 12, 31), mod)

    def month_match(self, s, e, y, m, y2=None, m2=None) -> DateMatch:
        return self.match(s, e, "month", f"{y:04d}-{m:02d}", date(y, m, 1),
                          _month_end(y2 or y, m2 or m))


def _month_num(name: str) -> int:
    return _MONTH_NUM[name[:3].lower()]


def _is_abbrev(name: str) -> bool:
    return name.rstrip(".") not in _MONTHS_FULL


def _explicit_year(ctx: _Ctx, y: str | None, ry: str | None) -> int | None:
    if y:
        return int(y)
    if ry:
        return ctx.pub.year + _REL_OFFSET[ry.lower()]
    return None


def _single_day(ctx, s, e, y, m, d):
    if y is None:
        y = ctx.year_for(s, e, lambda yy: (date(yy, m, d),) * 2)
        if y is None:
            return None
    day = date(y, m, d)
    return ctx.match(s, e, "day", day.isoformat(), day, day)


def _days(ctx, s, e, g, first_end, second_start, between):
    """Shared logic for day expressions; ``g`` holds the parsed groups."""
    m1, d1, y1, m2, d2, y2 = g["m1"], g["d1"], g["y1"], g["m2"], g["d2"], g["y2"]
    if d2 is None:
        found = _single_day(ctx, s, e, y1 if y1 is not None else y2, m1, d1)
        return [found] if found else []
    m2 = m2 or m1
    wrap = m2 < m1  # "30 December - 2 January" crosses New Year; "July 6-5" does not
    consecutive = m2 == m1 and d2 == d1 + 1
    if g["sep"].strip().lower() == "and" and not between and not consecutive:
        # "August 21 and 23": two separate days, sharing an explicit year.
        y = y2 if y2 is not None else y1
        out = [_single_day(ctx, s, first_end, y1 if y1 is not None else y, m1, d1),
               _single_day(ctx, second_start, e, y, m2, d2)]
        return [x for x in out if x]
    if y1 is None and y2 is None:
        y1 = ctx.year_for(s, e, lambda yy: (date(yy, m1, d1), date(yy + wrap, m2, d2)))
        if y1 is None:
            return []
        y2 = y1 + wrap
    elif y1 is None:
        y1 = y2 - wrap
    elif y2 is None:
        y2 = y1 + wrap
    first, last = date(y1, m1, d1), date(y2, m2, d2)
    if not first < last or (last - first).days > 366:
        # Not a usable range ("July 6-5"): keep the first day only.
        found = _single_day(ctx, s, first_end, y1, m1, d1)
        return [found] if found else []
    return [ctx.match(s, e, "day", first.isoformat(), first, last)]


def _day_num(token: str) -> int:
    return int(token.rstrip("stndrh"))


def _day_groups(m, ctx):
    get = m.groupdict().get
    if get("ry") and (get("y1") or get("y2")):
        return None  # "July 5, 2024 last year": contradictory, trust neither
    return {
        "m1": _month_num(get("m1") or get("m2")),
        "m2": _month_num(get("m2")) if get("m2") else None,
        "d1": _day_num(get("d1")),
        "d2": _day_num(get("d2")) if get("d2") else None,
        "y1": int(get("y1")) if get("y1") else None,
        "y2": _explicit_year(ctx, get("y2"), get("ry")),
        "sep": get("sep") or "",
    }


def _h_mdy(m, ctx):
    text = ctx.text
    s = m.start()
    between = _BETWEEN_BEFORE.search(text, max(0, s - 10), s) is not None
    w = _WEEKDAY_BEFORE.search(text, max(0, s - 16), s)
    if w:
        s = w.start()
    g = _day_groups(m, ctx)
    if g is None:
        return []
    first_end = m.end("y1") if m["y1"] else m.end("d1")
    second_start = m.start("m2") if m["m2"] else m.start("d2")
    return _days(ctx, s, m.end(), g, first_end, second_start, between)


def _h_dmy(m, ctx):
    text = ctx.text
    s = m.start()
    between = _BETWEEN_BEFORE.search(text, max(0, s - 10), s) is not None
    w = _WEEKDAY_BEFORE.search(text, max(0, s - 16), s)
    if w:
        s = w.start()
    g = _day_groups(m, ctx)
    if g is None:
        return []
    gd = m.groupdict()
    if gd.get("y1"):
        first_end = m.end("y1")
    elif gd.get("m1"):
        first_end = m.end("m1")
    else:
        first_end = m.end("d1")
    second_start = m.start("d2") if gd.get("d2") else m.end()
    return _days(ctx, s, m.end(), g, first_end, second_start, between)


def _h_day_list(m, ctx):
    """Consecutive days make one range ("1, 2 and 3 August"), others one
    day each; each number is then its own mention."""
    if m["ry"] and m["y2"]:
        return []
    mo = _month_num(m["m2"])
    days = [(_day_num(x.group()), m.start("list") + x.start(), m.start("list") + x.end())
            for x in _DAY_NUMBER.finditer(m["list"])]
    days.append((_day_num(m["d2"]), m.start("d2"), m.end("d2")))
    numbers = [d for d, _, _ in days]
    s, e = m.span()
    y = _explicit_year(ctx, m["y2"], m["ry"])
    if y is None:
        y = ctx.year_for(s, e, lambda yy: (date(yy, mo, min(numbers)), date(yy, mo, max(numbers))))
        if y is None:
            return []
    if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        first, last = date(y, mo, numbers[0]), date(y, mo, numbers[-1])
        return [ctx.match(s, e, "day", first.isoformat(), first, last)]
    out = []
    month_first = m.start("m2") < m.start("list")
    for i, (d, ds, de) in enumerate(days):
        # the month (and year) stay with the first or the last mention
        if month_first and i == 0:
            ds = s
        if i == len(days) - 1:
            de = e
        day = date(y, mo, d)
        out.append(ctx.match(ds, de, "day", day.isoformat(), day, day))
    return out


def _h_month(m, ctx):
    text = ctx.text
    s, e = m.span()
    name = m["m1"]
    yx = _explicit_year(ctx, m["y"], m["ry"])
    if m["y"] and _COUNT_AFTER.match(text, e):
        # "in May, 2000 troops": the number is a count, not the year.
        yx, e = None, m.end("m2") if m["m2"] else m.end("m1")
    if yx is None and _is_abbrev(name):
        return []
    m1 = _month_num(name)
    m2 = _month_num(m["m2"]) if m["m2"] else None
    rel = None
    if yx is None:
        r = _REL_BEFORE.search(text, max(0, s - 10), s)
        if r:
            rel = r["rel"].lower()
            s = r.start()
        else:
            context = _MAY_CONTEXT if name == "May" else _MONTH_CONTEXT
            if not context.search(text, max(0, s - 16), s) and not (
                    name == "May" and _MAY_WEAK_AFTER.match(text, e)
                    and _MAY_WEAK_CONTEXT.search(text, max(0, s - 8), s)):
                return []
    if m2 is not None and m["sep"].strip() == "and" and not _BETWEEN_BEFORE.search(
            text, max(0, s - 10), s):
        # "April and May" lists two months.
        first = _resolve_month(ctx, s, m.end("m1"), m1, None, yx, rel)
        second = _resolve_month(ctx, m.start("m2"), e, m2, None, yx, rel)
        return [x for x in (first, second) if x]
    found = _resolve_month(ctx, s, e, m1, m2, yx, rel)
    return [found] if found else []


def _resolve_month(ctx, s, e, m1, m2, yx, rel):
    pub = ctx.pub
    last_m = m2 or m1
    wrap = last_m < m1
    if yx is not None:
        y1 = yx - wrap  # "December-January 2024" starts in 2023
    elif rel == "this":
        y1 = pub.year
    elif rel == "last":
        y1 = pub.year if _month_end(pub.year, last_m) < pub and not wrap else pub.year - 1
    elif rel in ("next", "coming"):
        y1 = pub.year if date(pub.year, m1, 1) > pub else pub.year + 1
    else:
        y1 = ctx.year_for(s, e, lambda yy: (date(yy, m1, 1), _month_end(yy + wrap, last_m)))
        if y1 is None:
            return None
    return ctx.month_match(s, e, y1, m1, y1 + wrap, last_m)


def _h_iso(m, ctx):
    d = date(int(m["y"]), int(m["m"]), int(m["d"]))
    return [ctx.match(m.start(), m.end(), "day", d.isoformat(), d, d)]


def _h_year(m, ctx):
    text = ctx.text
    s, e = m.span()
    if _COUNT_AFTER.match(text, e) or _COUNT_BEFORE.search(text, max(0, s - 24), s):
        return []
    ok = (
        _YEAR_CONTEXT.search(text, max(0, s - 16), s)
        or _POSSESSIVE_AFTER.match(text, e)
        or _year_list_follows(text, e)
    )
    if not ok and _THE_BEFORE.search(text, max(0, s - 6), s):
        # "the 2024 election(s)" yes, "the 2000 Cambodians" no.
        w = _NEXT_WORD.match(text, e)
        word = w.group(1).lower() if w else ""
        ok = bool(word) and (not word.endswith("s") or word.endswith("ss")
                             or word in _EVENT_PLURALS)
    if not ok:
        return []
    return [ctx.year_match(s, e, int(m["y"]))]


def _year_list_follows(text: str, e: int) -> bool:
    """ "2024 and 2025": more years follow, and the list is not a count."""
    m = _YEAR_LIST_AFTER.match(text, e)
    if m is None:
        return False
    while m is not None:
        e = m.end()
        m = _YEAR_LIST_AFTER.match(text, e)
    return not _COUNT_AFTER.match(text, e)


def _range_end_year(y1: int, tail: str) -> int:
    return int(tail) if len(tail) == 4 else y1 // 100 * 100 + int(tail)


def _h_year_range(m, ctx):
    y1 = int(m["y1"])
    y2 = _range_end_year(y1, m["y2"])
    if not y1 < y2 <= y1 + 100 or _COUNT_AFTER.match(ctx.text, m.end()):
        return []
    return [ctx.year_match(m.start(), m.end(), y1, y2)]


def _h_decade(m, ctx):
    if m["c4"]:
        y = int(m["c4"])
    else:
        y = ctx.pub.year // 100 * 100 + int(m["c2"] or m["c2b"])
        if y > ctx.pub.year:  # "the '90s" written in 2024 is the 1990s
            y -= 100
    if y < 1:
        return []
    return [ctx.match(m.start(), m.end(), "decade", f"{y // 10:03d}", date(y, 1, 1),
                      date(y + 9, 12, 31))]


def _quarter(ctx, s, e, y, q):
    return ctx.match(s, e, "quarter", f"{y:04d}-Q{q}", date(y, 3 * q - 2, 1),
                     _month_end(y, 3 * q))


def _half(ctx, s, e, y, h):
    return ctx.match(s, e, "half", f"{y:04d}-H{h}", date(y, 6 * h - 5, 1), _month_end(y, 6 * h))


def _h_qh_code(m, ctx):
    y = int(m["y"] or m["y2"])
    q, h = m["q"] or m["q2"], m["h"] or m["h2"]
    if q:
        return [_quarter(ctx, m.start(), m.end(), y, int(q))]
    return [_half(ctx, m.start(), m.end(), y, int(h))]


def _h_qh_words(m, ctx):
    ord_ = m["ord"].lower()
    s, e = m.span()
    quarter = m["unit"].lower() == "quarter"
    if m["bare"] is not None:
        # "the last quarter" is usually the latest one, "the first half"
        # usually a match: only numbered quarters stand without a year.
        n = _ORDINAL.get(ord_)
        if not quarter or n is None:
            return []
        return _bare_quarter(ctx, s, e, n)
    y = ctx.pub.year if m["ty"] else _explicit_year(ctx, m["y"], m["ry"])
    if quarter:
        n = 4 if ord_ in ("final", "last") else _ORDINAL.get(ord_)
        if n is None:
            return []
        return [_quarter(ctx, s, e, y, n)]
    n = 2 if ord_ in ("latter", "last", "final") else _ORDINAL.get(ord_)
    if n not in (1, 2):
        return []
    return [_half(ctx, s, e, y, n)]


def _bare_quarter(ctx, s, e, q):
    y = ctx.year_for(s, e, lambda yy: (date(yy, 3 * q - 2, 1), _month_end(yy, 3 * q)))
    return [_quarter(ctx, s, e, y, q)] if y is not None else []


def _h_q_bare(m, ctx):
    s = m.start()
    text = ctx.text
    before = text[max(0, s - 12):s].rstrip(" \t\"'“‘(")
    if not (_Q_BARE_BEFORE.search(text, max(0, s - 12), s)
            or not before or before.endswith(_SENTENCE_END) or before.endswith("\n")):
        return []  # "Audi Q3": a model, not a quarter
    return _bare_quarter(ctx, s, m.end(), int(m["q"]))


def _h_months_of_year(m, ctx):
    n_text = m["n"].lower()
    n = int(n_text) if n_text.isdigit() else _NUMBER_WORDS[n_text]
    y = ctx.pub.year if m["ty"] else _explicit_year(ctx, m["y"], m["ry"])
    s, e = m.span()
    first = 1 if m["ord"].lower() == "first" else 13 - n
    last_day = _month_end(y, n) if first == 1 else date(y, 12, 31)
    return [ctx.match(s, e, "month", f"{y:04d}-{first:02d}", date(y, first, 1), last_day)]


def _h_end_of_the(m, ctx):
    mod = {"end": "END", "beginning": "START", "start": "START",
           "middle": "MID"}[m["mod"].lower()]
    unit, pub, s, e = m["unit"].lower(), ctx.pub, m.start(), m.end()
    if unit == "year":
        return [ctx.year_match(s, e, pub.year, mod=mod)]
    if unit == "month":
        return [replace(ctx.month_match(s, e, pub.year, pub.month), mod=mod)]
    value, monday, sunday = _week(pub)
    return [ctx.match(s, e, "week", value, monday, sunday, mod)]


def _weekend(ctx, s, e, saturday):
    iso = saturday.isocalendar()
    return ctx.match(s, e, "week", f"{iso[0]:04d}-W{iso[1]:02d}-WE", saturday,
                     saturday + timedelta(days=1))


def _h_weekend(m, ctx):
    """Weekends: "this weekend" is the one of the publication's ISO week,
    "next weekend" the one of the next ISO week (as "next week"), "last
    weekend" the latest one already over; "the weekend" follows the tense and
    otherwise the nearer of the two."""
    pub = ctx.pub
    rel = (m["rel"] or "").lower()
    s = m.start() if rel else m.start("w")
    e = m.end()
    this_sat = pub + timedelta(days=5 - pub.weekday())
    prev_sat = this_sat if pub.weekday() >= 5 else this_sat - timedelta(days=7)
    if rel in ("this", "coming"):
        sat = this_sat
        if rel == "this" and sat > pub and ctx.tense(s, e) == _PAST:
            sat = prev_sat  # "protests this weekend" said on Monday
    elif rel == "next":
        sat = this_sat + timedelta(days=7)
    elif rel in ("last", "past"):
        sat = this_sat - timedelta(days=7)
    else:
        tense = ctx.tense(s, e)
        if tense == _PAST:
            sat = prev_sat
        elif tense == _FUTURE:
            sat = this_sat
        else:
            sat = prev_sat if (pub - prev_sat).days - 1 <= (this_sat - pub).days else this_sat
    return [_weekend(ctx, s, e, sat)]


def _nth_thursday(y: int, mo: int, ord_: str) -> date:
    if ord_ in ("last", "final"):
        last = _month_end(y, mo)
        return last - timedelta(days=(last.weekday() - 3) % 7)
    first = date(y, mo, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 7 * (_ORDINAL[ord_] - 1))


def _h_week_of_month(m, ctx):
    """ "the first week of August" is the ISO week holding the month's first
    Thursday (the ISO 8601 rule for a year's first week, applied to the
    month), so that most of its days fall in the month."""
    ord_ = m["ord"].lower()
    mo = _month_num(m["m"])
    s, e = m.span()
    return _week_containing(ctx, s, e, _explicit_year(ctx, m["y"], m["ry"]),
                            lambda yy: _nth_thursday(yy, mo, ord_))


def _h_week_of_day(m, ctx):
    name = m["m1"] or m["m2"]
    mo, d = _month_num(name), _day_num(m["d1"] or m["d2"])
    s, e = m.span()
    return _week_containing(ctx, s, e, int(m["y"]) if m["y"] else None,
                            lambda yy: date(yy, mo, d))


def _week_containing(ctx, s, e, year, day_of):
    """The ISO week holding day_of(year); without a year, the one the tense
    and the publication date choose."""
    if year is None:
        year = ctx.year_for(s, e, lambda yy: _week(day_of(yy))[1:])
        if year is None:
            return []
    value, monday, sunday = _week(day_of(year))
    return [ctx.match(s, e, "week", value, monday, sunday)]


def _iso_week_span(y: int, n: int) -> tuple[date, date]:
    monday = date.fromisocalendar(y, n, 1)
    return monday, monday + timedelta(days=6)


def _h_week_number(m, ctx):
    s, e = m.span()
    if not m["y"] and (_OF_SOMETHING.match(ctx.text, e)
                       or _WEEK_RATE_BEFORE.search(ctx.text, max(0, s - 8), s)):
        return []
    n = int(m["n"])
    y = int(m["y"]) if m["y"] else ctx.year_for(s, e, lambda yy: _iso_week_span(yy, n))
    if y is None:
        return []
    monday, sunday = _iso_week_span(y, n)
    return [ctx.match(s, e, "week", f"{y:04d}-W{n:02d}", monday, sunday)]


def _h_rel_quarter(m, ctx):
    rel = m["rel"].lower()
    if rel == "last" and _THE_BEFORE.search(ctx.text, max(0, m.start() - 6), m.start()):
        return []  # "the last quarter" is usually the final one
    pub = ctx.pub
    y, q = divmod(pub.year * 4 + (pub.month - 1) // 3 + _REL_OFFSET[rel], 4)
    return [_quarter(ctx, m.start(), m.end(), y, q + 1)]


def _h_rel_unit(m, ctx):
    rel, unit = m["rel"].lower(), m["unit"].lower()
    s, e = m.span()
    if rel in ("last", "next") and _THE_BEFORE.search(ctx.text, max(0, s - 6), s):
        return []  # "over the last year" is a duration
    pub, k = ctx.pub, _REL_OFFSET[rel]
    if unit == "year":
        return [ctx.year_match(s, e, pub.year + k)]
    if unit == "month":
        y, mo = _add_months(pub.year, pub.month, k)
        return [ctx.month_match(s, e, y, mo)]
    value, monday, sunday = _week(pub + timedelta(weeks=k))
    return [ctx.match(s, e, "week", value, monday, sunday)]


def _h_day_word(m, ctx):
    k = {"yesterday": -1, "today": 0, "tomorrow": 1}[m["w"].lower()]
    d = ctx.pub + timedelta(days=k)
    return [ctx.match(m.start(), m.end(), "day", d.isoformat(), d, d)]


def _h_day_before_after(m, ctx):
    k = {"yesterday": -2, "tomorrow": 2}[m["w"].lower()]
    if (m["rel"].lower() == "before") != (k < 0):
        return []  # "the day after yesterday" is today, said by nobody
    d = ctx.pub + timedelta(days=k)
    return [ctx.match(m.start(), m.end(), "day", d.isoformat(), d, d)]


def _h_ago(m, ctx):
    n_text = m["n"].lower()
    n = int(n_text) if n_text.isdigit() else _NUMBER_WORDS[n_text]
    unit, pub, s, e = m["unit"].lower(), ctx.pub, m.start(), m.end()
    if unit == "day":
        d = pub - timedelta(days=n)
        return [ctx.match(s, e, "day", d.isoformat(), d, d)]
    if unit == "week":
        value, monday, sunday = _week(pub - timedelta(weeks=n))
        return [ctx.match(s, e, "week", value, monday, sunday)]
    if unit == "month":
        y, mo = _add_months(pub.year, pub.month, -n)
        return [ctx.month_match(s, e, y, mo)]
    return [ctx.year_match(s, e, pub.year - n)]


def _h_weekday(m, ctx):
    text, pub = ctx.text, ctx.pub
    s, e = m.span()
    if _EVERY_BEFORE.search(text, max(0, s - 8), s):
        return []
    wd = _WEEKDAY_NUM[m["wd"].lower()]
    back = (pub.weekday() - wd) % 7  # days since the latest such weekday
    r = _REL_BEFORE.search(text, max(0, s - 8), s)
    rel = r["rel"].lower() if r else None
    if rel is None and _weekday_is_name(text, s, e):
        return []
    if rel == "last":
        d = pub - timedelta(days=back or 7)
    elif rel in ("next", "coming"):
        d = pub + timedelta(days=(wd - pub.weekday()) % 7 or 7)
    elif rel == "this":
        d = pub + timedelta(days=wd - pub.weekday())
    elif ctx.tense(s, e) == _FUTURE:
        d = pub + timedelta(days=(wd - pub.weekday()) % 7)
    else:
        d = pub - timedelta(days=back)
    found = ctx.match(r.start() if r else s, e, "day", d.isoformat(), d, d)
    if not r:
        ctx.bare_weekdays.append(found)
    return [found]


def _weekday_is_name(text: str, s: int, e: int) -> bool:
    p = _PREV_WORD.search(text, max(0, s - 24), s)
    prev = p.group(1) if p else ""
    if prev[:1].isupper() and prev.lower() in _HOLIDAY_ADJECTIVES:
        return True
    n = _NEXT_CAP_WORD.match(text, e)
    if n is None or n.group(1).rstrip(".")[:3].lower() in _MONTH_NUM:
        return False
    word = n.group(1).lower()
    if word in _NAME_WORDS_AFTER:
        return True
    # "the Sunday Times" / start of a sentence: a name; "on Friday Hun Sen said": a date
    return not prev or prev.lower() not in _WEEKDAY_LEADS and not prev.islower()


def _absorb_weekdays(cands: list[DateMatch], weekdays: list[DateMatch],
                     text: str) -> list[DateMatch]:
    """Fold a weekday in apposition into the date beside it.

    "5 July 2024 (Friday)" is one date: the weekday only restates it, and
    resolving it on its own would add a wrong Friday.
    """
    weekday_ids = {id(w) for w in weekdays}
    cands = list(cands)
    for w in weekdays:
        for i, c in enumerate(cands):
            if c.precision != "day" or id(c) in weekday_ids or (
                    c.start < w.end and w.start < c.end):
                continue
            if c.end <= w.start and _APPOSITION_AFTER.match(text, c.end, w.start):
                end = w.end
                if text.find("(", c.end, w.start) >= 0 or text.find("[", c.end, w.start) >= 0:
                    close = _CLOSE_BRACKET.match(text, end)
                    end = close.end() if close else end
                cands[i] = replace(c, text=text[c.start:end], end=end)
            elif w.end <= c.start and _APPOSITION_BEFORE.match(text, w.end, c.start):
                close = _CLOSE_BRACKET.match(text, c.end)
                end = close.end() if close else c.end
                cands[i] = replace(c, text=text[w.start:end], start=w.start, end=end)
            else:
                continue
            cands = [x for x in cands if x is not w]
            break
    return cands


def _h_season(m, ctx):
    text, pub = ctx.text, ctx.pub
    s, e = m.span()
    name = m["s"].lower()
    code, first_month = _SEASONS[name]
    r = _REL_BEFORE.search(text, max(0, s - 8), s)
    if m["y"]:
        y = int(m["y"])
    elif r:
        rel = r["rel"].lower()
        s = r.start()
        if rel == "this":
            y = pub.year - 1 if code == "WI" and pub.month <= 2 else pub.year
        else:
            years = range(pub.year - 2, pub.year + 2)
            if rel == "last":
                y = max(yy for yy in years if _season_span(yy, first_month)[1] < pub)
            else:
                y = min(yy for yy in years if _season_span(yy, first_month)[0] > pub)
    else:
        return []  # "in summer" is too often generic
    d_from, d_to = _season_span(y, first_month)
    return [ctx.match(s, e, "season", f"{y:04d}-{code}", d_from, d_to)]


# --------------------------------------------------------------------------
# Anchors.  Every expression contains a literal that str.find locates at C
# speed (a month-name stem, "19"/"20", "year", "day", ...).  From each anchor
# we derive where the expression must start, either the anchor itself or the
# start of a short "lead" ending right at it, and try the full patterns only
# there with an anchored .match().  Lead patterns end in \Z, which matches at
# the search's endpos, i.e. at the anchor.

_DAY_NUMBER_RE = "[0-9]{1,2}(?:st|nd|rd|th)?"
_DMY_LEAD = re.compile(
    rf"(?<![\w.,$€£¥/:-]){_DAY_NUMBER_RE}(?:{_RANGE_SEP_RE}{_DAY_NUMBER_RE})?\s+(?:of\s+)?\Z"
)
_MONTHS_LEAD = re.compile(
    r"(?<![\w])(?:first|last|final)\s+(?:two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|[2-9]|1[01])\s+\Z", re.I
)
_DAY_LIST_LEAD = re.compile(
    rf"(?<![\w.,$€£¥/:-]){_DAY_NUMBER_RE}(?:\s*,\s*{_DAY_NUMBER_RE})+,?\s+(?:and|&)\s+"
    rf"{_DAY_NUMBER_RE}\s+(?:of\s+)?\Z"
)
_QH_LEAD = re.compile(r"(?<![\w])[QH][1-4](?:\s+of\s+|,?\s*)\Z")
_DECADE_LEAD = re.compile(r"(?:['’]|(?<=[Tt]he\s))[0-9]\Z")
_REL_LEAD = re.compile(r"(?<![\w])(?:last|next|this|coming|upcoming|current)\s+\Z", re.I)
_ORDINAL_LEAD = re.compile(
    r"(?<![\w])(?:first|second|third|fourth|final|last|latter|1st|2nd|3rd|4th)[\s-]+\Z", re.I
)
_AGO_LEAD = re.compile(rf"(?<![\w]){_NUMBER_RE}\s+(?:day|week|month|year)s?\s+\Z", re.I)
_DAY_LEAD = re.compile(r"(?<![\w])(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun|[Yy]ester|[Tt]o)\Z")


def _year_digits(text: str, p: int) -> bool:
    """Anchor "19"/"20" starts a free-standing four-digit number."""
    return text[p:p + 4].isdigit() and not (p and text[p - 1].isalnum())


def _after_day_number(text: str, p: int) -> bool:
    """Something like "5 ", "5th ", "5th of " precedes the month at p."""
    before = text[max(0, p - 4):p].rstrip()
    return bool(before) and (before[-1].isdigit() or before[-2:] in ("st", "nd", "rd", "th", "of"))


def _word_start(text: str, p: int) -> bool:
    return not (p and text[p - 1].isalpha())


_MONTH_STEMS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEASON_STEMS = ("pring", "ummer", "utumn", "inter")  # Spring or spring, ...

# Each entry: needles (found case-sensitively in the original text; lower-case
# stems also catch the capitalised word), how far before the needle the
# expression starts (or a lead pattern and how far back it may reach), a quick
# test of the anchor, and the rules to try at the start.
_ANCHORS = (
    # Lists first: _select keeps the earlier of two equal spans, and "August 1"
    # in "August 1, 5 and 9, 2023" must take the list's year.
    (_MONTH_STEMS, 0, _DAY_LIST_LEAD, 40, _after_day_number, ((_DMY_LIST, _h_day_list),)),
    (_MONTH_STEMS, 0, None, 0, _word_start, ((_MDY_LIST, _h_day_list),)),
    (_MONTH_STEMS, 0, None, 0, _word_start, ((_MDY, _h_mdy), (_MONTH, _h_month))),
    (_MONTH_STEMS, 0, _DMY_LEAD, 22, _after_day_number,
     ((_DMY, _h_dmy), (_DMY_RANGE, _h_dmy))),
    (("19", "20"), 0, None, 0, _year_digits,
     ((_ISO, _h_iso), (_YEAR_RANGE, _h_year_range), (_YEAR_RANGE_WORDS, _h_year_range),
      (_DECADE, _h_decade), (_QH_CODE, _h_qh_code), (_YEAR, _h_year))),
    (("19", "20"), 0, _QH_LEAD, 8, _year_digits, ((_QH_CODE, _h_qh_code),)),
    (("0s",), 0, _DECADE_LEAD, 3, None, ((_DECADE, _h_decade),)),
    (("year", "month", "week"), 0, _REL_LEAD, 12, None, ((_REL_UNIT, _h_rel_unit),)),
    (("ago",), 0, _AGO_LEAD, 25, _word_start, ((_AGO, _h_ago),)),
    (("day",), 0, _DAY_LEAD, 7, None, ((_WEEKDAY, _h_weekday), (_DAY_WORD, _h_day_word))),
    (("omorrow",), 1, None, 0, None, ((_DAY_WORD, _h_day_word),)),
    (("day before", "day after", "Day before", "Day after"), 0, None, 0, _word_start,
     ((_DAY_BEFORE_AFTER, _h_day_before_after),)),
    (("quarter", "half"), 0, _ORDINAL_LEAD, 10, _word_start, ((_QH_WORDS, _h_qh_words),)),
    (("quarter",), 0, _REL_LEAD, 12, _word_start, ((_REL_QUARTER, _h_rel_quarter),)),
    (("Q1", "Q2", "Q3", "Q4"), 0, None, 0, _word_start, ((_Q_BARE, _h_q_bare),)),
    (("months of",), 0, _MONTHS_LEAD, 20, None, ((_MONTHS_OF_YEAR, _h_months_of_year),)),
    (("of the year", "of the month", "of the week"), 0, _END_OF_THE_LEAD, 12, None,
     ((_END_OF_THE, _h_end_of_the),)),
    (("weekend", "Weekend"), 0, _WEEKEND_LEAD, 8, _word_start, ((_WEEKEND, _h_weekend),)),
    (("week", "Week"), 0, _ORDINAL_LEAD, 10, _word_start, ((_WEEK_OF_MONTH, _h_week_of_month),)),
    (("week", "Week"), 0, None, 0, _word_start,
     ((_WEEK_OF_DAY, _h_week_of_day), (_WEEK_NUMBER, _h_week_number))),
    (_SEASON_STEMS, 1, None, 0, None, ((_SEASON, _h_season),)),
    (("fall", "Fall"), 0, None, 0, _word_start, ((_SEASON, _h_season),)),
)


def _find_all(haystack: str, needle: str) -> list[int]:
    found = []
    i = haystack.find(needle)
    while i != -1:
        found.append(i)
        i = haystack.find(needle, i + 1)
    return found


def _with_mod(c: DateMatch, text: str) -> DateMatch:
    if c.precision == "day" or c.mod is not None:
        return c
    mm = _MOD_BEFORE.search(text, max(0, c.start - 16), c.start)
    if mm is None:
        return c
    mod = next(k for k in MODS if mm[k])
    return replace(c, text=text[mm.start():c.end], start=mm.start(), mod=mod)


def _select(cands: list[DateMatch]) -> list[DateMatch]:
    """Longest first, then leftmost; drop anything overlapping a kept match."""
    cands.sort(key=lambda c: (c.start - c.end, c.start))
    starts: list[int] = []
    kept: list[DateMatch] = []
    for c in cands:
        i = bisect_left(starts, c.start)
        if i < len(kept) and kept[i].start < c.end:
            continue
        if i > 0 and kept[i - 1].end > c.start:
            continue
        starts.insert(i, c.start)
        kept.insert(i, c)
    return kept


def find_dates(text: str, published: date) -> list[DateMatch]:
    """All date expressions in ``text``, resolved against ``published``."""
    if not text:
        return []
    ctx = _Ctx(text, published)
    cands: list[DateMatch] = []
    tried: set[tuple[int, int]] = set()
    positions: dict[str, list[int]] = {}
    for needles, offset, lead, reach, check, rules in _ANCHORS:
        for needle in needles:
            if needle not in positions:
                positions[needle] = _find_all(text, needle)
            for p in positions[needle]:
                if check is not None and not check(text, p):
                    continue
                if lead is None:
                    start = p - offset
                else:
                    found = lead.search(text, max(0, p - reach), p)
                    if found is None:
                        continue
                    start = found.start()
                if start < 0:
                    continue
                for rx, handler in rules:
                    key = (start, id(rx))
                    if key in tried:
                        continue
                    tried.add(key)
                    m = rx.match(text, start)
                    if m is None:
                        continue
                    try:
                        cands.extend(handler(m, ctx))
                    except (ValueError, OverflowError):  # impossible dates, e.g. 31 June
                        pass
    if ctx.bare_weekdays:
        cands = _absorb_weekdays(cands, ctx.bare_weekdays, text)
    return _select([_with_mod(c, text) for c in cands])
