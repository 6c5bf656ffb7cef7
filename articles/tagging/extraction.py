"""Pure metadata extraction from raw, scraped news article text files.

Text in, result out: standard library only, no Django, no I/O.

``extract(raw)`` first runs :func:`articles.tagging.cleaning.clean_text`,
then reads the *header zone* at the top of the cleaned text line by line
and leaves everything after it as the body. Rules, in order:

1. **Headline** - the first line, if it is short (at most 20 words, 200
   characters), has a letter, does not end with ``. , ; :`` (closing quotes
   and brackets ignored; ``?`` and ``!`` are fine), is not itself a date,
   source, "By ..." byline, photo caption or dateline paragraph, stands alone
   in its paragraph (or is followed in it by a metadata line) and is followed
   by more text. A file starting straight with a body paragraph has none.
2. **Standfirst** - only when there is a headline: the very next line, if it
   is one sentence-like line (4-60 words, ends with ``. ! ?``, not metadata,
   no dateline) and either (a) the line after it is a metadata line
   (byline/source/date/caption), or (b) the line after it starts with a
   dateline, or (c) it is alone in its paragraph, at most 35 words and at
   most 40% of the median word count of at least three following paragraphs.
3. **Metadata zone** - then every consecutive line that is metadata is
   consumed (within the first 30 lines); the first other line starts the
   body. Metadata lines are:

   * *date*: "September 29, 2022", "Sept. 29 2022", "14 August 2017",
     "29 Sep 2022", "2022-09-29", optionally with a weekday, a
     "Published:"/"Publication date" prefix and a trailing time;
   * *source*: a line equal to one of ``known_sources`` (case-insensitive,
     a leading "The" optional on either side, plus aliases "The Post" and
     "Phnom Penh Post" -> "The Phnom Penh Post", "Khmer Times" ->
     "The Khmer Times"), optionally "Source: ..." or followed by a separator
     and a date/byline/short remainder ("The Khmer Times, 14 August 2017");
   * *byline*: "By Name", "By Name and Name", "By A, B and C" or a bare name
     of 2-4 capitalised words ("Ry Sochan"), optionally with " | "-separated
     date/time/source segments; repeated names are de-duplicated;
   * *caption*: a line ending, after a sentence end, in a photo credit:
     an all-caps token ("SPM", "AFP", "AKP", "REUTERS", "KT/Chor Sokunthea"),
     "Photo: ...", "Photo supplied", "Supplied", or a 2-4 word name
     ("Heng Chivoan"); also a trailing "(Photo: ...)".

   The first date found (date line, or inside a source/byline line) is
   ``published``; the first source found is ``source``.
4. **Dateline** - the first body paragraph starting with upper-case words
   (optionally ", Place" and/or "(AFP)") followed by a spaced dash
   ("PHNOM PENH – ", "TOKYO - ", "PHNOM PENH, Cambodia — ") gives the
   title-cased place ("Phnom Penh", "Phnom Penh, Cambodia"); the text stays
   in the body.

``missing`` lists, in the fixed order headline, standfirst, bylines, source,
published, dateline, every field left empty.

Known gaps: a bare 2-4 word capitalised line at the very top is read as a
headline, not a byline (unless repeated on the next line); a short
capitalised non-name line in the metadata zone (e.g. a place name) can be
read as a byline; an all-caps acronym followed by a spaced dash at the start
of the first paragraph ("ASEAN – Japan ...") reads as a dateline;
dd/mm/yyyy dates are not recognised; captions and datelines are only looked
for at the top of the article.
"""

from __future__ import annotations

import datetime
import re
import statistics
from dataclasses import dataclass, field
from typing import Iterable

from articles.tagging.cleaning import clean_text

__all__ = ["Extracted", "extract", "DEFAULT_SOURCES", "FIELDS"]

DEFAULT_SOURCES: tuple[str, ...] = ("The Phnom Penh Post", "The Khmer Times")

# Extra spellings for well-known canonical source names.
SOURCE_ALIASES: dict[str, tuple[str, ...]] = {
    "The Phnom Penh Post": ("The Post", "Phnom Penh Post"),
    "The Khmer Times": ("Khmer Times",),
}

FIELDS: tuple[str, ...] = (
    "headline",
    "standfirst",
    "bylines",
    "source",
    "published",
    "dateline",
)


@dataclass(frozen=True)
class Extracted:
    headline: str
    standfirst: str
    body: str
    bylines: tuple[str, ...]
    source: str
    published: datetime.date | None
    dateline: str
    captions: tuple[str, ...]
    missing: tuple[str, ...]
    removed: tuple[str, ...]
    # the publication moment when the date line gives a time ("18:02 ICT"), aware
    published_at: datetime.datetime | None = None


# --------------------------------------------------------------------------
# Regexes
# --------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PREFIX = (
    r"(?:(?:published|posted|updated|publication\s+date|date)\s*(?:on\b)?\s*:?\s*)?"
    r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
)
_TIME = (
    r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*(?:[a-z]{2,4}|[+-]\d{2}:?\d{2}))?"
)
_DATE_SUFFIX = r"(?:\s*(?:[,|@–—-]|at)?\s*" + _TIME + r")?\s*\.?"


def _date_re(core: str) -> re.Pattern[str]:
    return re.compile(
        r"^" + _DATE_PREFIX + core + _DATE_SUFFIX + r"$", re.IGNORECASE
    )


_DATE_MDY_RE = _date_re(
    r"(?P<m>" + _MONTH + r")\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"
)
_DATE_DMY_RE = _date_re(
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>" + _MONTH
    + r"),?\s+(?P<y>\d{4})"
)
_DATE_ISO_RE = _date_re(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})T?")
_TIME_RE = re.compile(r"^(?:at\s+)?" + _TIME + r"$", re.IGNORECASE)

# " | ", " / ", " • ", " – ", " - " between metadata segments.
_SEGMENT_SEP_RE = re.compile(r"\s+[|/•·–—-]\s+|\s*\|\s*")
_LEADING_SEP_RE = re.compile(r"^\s*[,|:/•–—-]\s*")
_TRAILING_SEP_RE = re.compile(r"\s*[,|/•–—-]\s*$")
_SOURCE_PREFIX_RE = re.compile(
    r"^(?:source|published\s+(?:in|by)|via)\b\s*:?\s*", re.IGNORECASE
)
_BY_RE = re.compile(
    r"^(?:by|written\s+by|words\s+by|reported\s+by|reporting\s+by)\s+(?P<names>.+)$",
    re.IGNORECASE,
)
_NAME_SPLIT_RE = re.compile(r"\s*,\s*(?:and\s+)?|\s+(?:and|&)\s+")
_NAME_TOKEN_RE = re.compile(r"^[^\W\d_][\w'’.\-]*$")
_INITIAL_RE = re.compile(r"^[^\W\d_]\.$")
_NAME_PARTICLES = frozenset(
    "de da di van von der den bin binti al el la le du dos del".split()
)
_NOT_NAME_WORDS = frozenset(
    """the a an of in on at for to from with and or news post times photo
    photos editorial opinion analysis related update updated breaking
    comment comments share more video live""".split()
)

# A credit at the end of a caption, after a sentence end, or "(Photo: ...)".
_CAPTION_RE = re.compile(
    r"""^(?P<text>.*\S)
    (?:
        [.!?]["”’)\]]*\s+
        (?:
            \(?(?P<credit>
                (?i:photos?\s*(?::|by)\s*\S.{0,60})
              | (?i:photos?\s+(?:supplied|courtesy\b.{0,60}|provided|file))
              | (?i:(?:file\s+)?supplied)
              | [A-Z]{2,10}(?:\s*/\s*[^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*){0,3})?
              | [A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3}
            )\)?
        )
      |
        \s*\((?i:photos?\s*(?::|by)\s*[^()]{1,60}|photos?\s+supplied)\)
    )$""",
    re.VERBOSE,
)
_DATELINE_RE = re.compile(
    r"""^(?P<place>
        [A-Z][A-Z'’.]*(?:[ -][A-Z][A-Z'’.]*){0,4}
    )
    (?P<region>,\s*[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*){0,2})?
    (?:\s*\((?:[A-Za-z]{2,10})\))?
    \s*(?:[–—]|\s-)\s+(?=\S)""",
    re.VERBOSE,
)
_MAX_HEADER_LINES = 30  # the metadata zone never reaches further down
_SENTENCE_END_RE = re.compile(r"[.!?…][\"”’)\]]*$")
_CLOSERS = "\"'”’)]»"
_LETTER_RE = re.compile(r"[^\W\d_]")


# --------------------------------------------------------------------------
# Line classifiers
# --------------------------------------------------------------------------


@dataclass
class _Meta:
    names: list[str] = field(default_factory=list)
    source: str = ""
    date: datetime.date | None = None
    moment: datetime.datetime | None = None
    caption: str = ""


# Zones news sites print after a time. A time without a zone is not kept: its
# offset is unknown, and a wrong one would move the article by hours.
_ZONES = {"ict": 7, "utc": 0, "gmt": 0, "z": 0, "jst": 9, "kst": 9, "sgt": 8, "pht": 8,
          "myt": 8, "wib": 7, "cst": 8, "hkt": 8, "ist": 5.5, "bst": 1, "cet": 1, "cest": 2,
          "est": -5, "edt": -4, "pst": -8, "pdt": -7}
_TIME_RE = re.compile(
    r"(?<![\d:.])(?P<h>\d{1,2})[:.](?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ap>[ap]\.?m\.?)?"
    r"\s*(?:(?P<zone>[A-Za-z]{1,4})|(?:(?:UTC|GMT)\s*)?(?P<off>[+-]\d{1,2}(?::?\d{2})?))?\s*\.?\s*$",
    re.IGNORECASE,
)


def parse_time(text: str, day: datetime.date) -> datetime.datetime | None:
    """The aware moment of a date line's trailing time ("18:02 ICT",
    "6:02 pm +07:00"); None without a time or a known zone."""
    match = _TIME_RE.search(text)
    if not match:
        return None
    hour, minute = int(match.group("h")), int(match.group("m"))
    ap = (match.group("ap") or "").lower()[:1]
    if ap:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ap == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    if match.group("off"):
        sign = -1 if match.group("off")[0] == "-" else 1
        digits = match.group("off")[1:].replace(":", "")
        hours = int(digits[:-2] or 0) if len(digits) > 2 else int(digits)
        minutes = int(digits[-2:]) if len(digits) > 2 else 0
        offset = sign * (hours * 60 + minutes)
    elif match.group("zone") and match.group("zone").lower() in _ZONES:
        offset = int(_ZONES[match.group("zone").lower()] * 60)
    else:
        return None
    zone = datetime.timezone(datetime.timedelta(minutes=offset))
    return datetime.datetime.combine(day, datetime.time(hour, minute, int(match.group("s") or 0)), zone)


def _parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    if not text or len(text) > 80:
        return None
    for regex in (_DATE_MDY_RE, _DATE_DMY_RE, _DATE_ISO_RE):
        match = regex.match(text)
        if not match:
            continue
        month = match.group("m").rstrip(".").lower()
        month_no = _MONTHS[month] if month in _MONTHS else int(month)
        try:
            day = datetime.date(int(match.group("y")), month_no, int(match.group("d")))
        except ValueError:
            return None
        if 1900 <= day.year <= 2100:
            return day
        return None
    return None


class _Sources:
    """Canonical source names and their accepted spellings."""

    def __init__(self, known: Iterable[str]) -> None:
        self.variants: list[tuple[str, str]] = []  # (casefolded variant, canonical)
        for canonical in known:
            canonical = " ".join(str(canonical).split())
            if not canonical:
                continue
            spellings = {canonical, *SOURCE_ALIASES.get(canonical, ())}
            if canonical.lower().startswith("the ") and len(canonical) > 4:
                spellings.add(canonical[4:])
            for spelling in spellings:
                self.variants.append((spelling.casefold(), canonical))
        # Longest first so "The Phnom Penh Post" wins over "The Post".
        self.variants.sort(key=lambda item: len(item[0]), reverse=True)

    def exact(self, text: str) -> str:
        text = _SOURCE_PREFIX_RE.sub("", text.strip()).rstrip(" .,:;").casefold()
        bare = text[4:] if text.startswith("the ") else text
        for variant, canonical in self.variants:
            if variant in (text, bare):
                return canonical
        return ""

    def prefix(self, text: str) -> tuple[str, str] | None:
        """("canonical", rest) if text is "<source><separator><rest>"."""
        stripped = _SOURCE_PREFIX_RE.sub("", text.strip())
        candidates = [stripped]
        if stripped[:4].casefold() == "the ":
            candidates.append(stripped[4:])
        for candidate in candidates:
            for variant, canonical in self.variants:
                if len(candidate) > len(variant) and (
                    candidate[: len(variant)].casefold() == variant
                ):
                    rest = candidate[len(variant):]
                    match = _LEADING_SEP_RE.match(rest)
                    if match and rest[match.end():].strip():
                        return canonical, rest[match.end():].strip()
        return None

    def suffix(self, text: str) -> tuple[str, str] | None:
        """("canonical", rest) if text is "<rest><separator><source>"."""
        for variant, canonical in self.variants:
            if len(text) > len(variant) and text[-len(variant):].casefold() == variant:
                rest = text[: len(text) - len(variant)]
                match = _TRAILING_SEP_RE.search(rest)
                if match and rest[: match.start()].strip():
                    return canonical, rest[: match.start()].strip()
        return None


def _is_name(text: str, *, loose: bool) -> bool:
    """A person's name: 2-4 capitalised words (1-5 words when ``loose``)."""
    tokens = text.split()
    if not tokens:
        return False
    core = 0
    for index, token in enumerate(tokens):
        lowered = token.lower()
        if index and lowered in _NAME_PARTICLES:
            continue
        core += 1
        if lowered in _NOT_NAME_WORDS or not token[0].isupper():
            return False
        if not (_NAME_TOKEN_RE.match(token) or _INITIAL_RE.match(token)):
            return False
        letters = [c for c in token if c.isalpha()]
        if not loose and len(letters) > 1 and all(c.isupper() for c in letters):
            return False  # "KHMER TIMES", "ASEAN": not a bare name
    low, high = (1, 5) if loose else (2, 4)
    return low <= core <= high


def _parse_names(text: str) -> list[str] | None:
    match = _BY_RE.match(text)
    loose = match is not None
    names_part = match.group("names") if match else text
    names = [n.strip() for n in _NAME_SPLIT_RE.split(names_part.strip()) if n.strip()]
    if names and all(_is_name(n, loose=loose) for n in names):
        return names
    return None


def _parse_caption(line: str) -> str:
    if len(line.split()) < 4:
        return ""
    match = _CAPTION_RE.match(line)
    if not match:
        return ""
    if not _LETTER_RE.search(match.group("text")):
        return ""
    return line


def _parse_segment(segment: str, sources: _Sources, meta: _Meta) -> bool:
    """Classify one metadata segment into ``meta``; False if it is not one."""
    segment = segment.strip()
    if not segment:
        return True
    day = _parse_date(segment)
    if day is not None and meta.moment is None:
        meta.moment = parse_time(segment, day)
    if day is not None:
        meta.date = meta.date or day
        return True
    if _TIME_RE.match(segment):
        return True
    canonical = sources.exact(segment)
    if canonical:
        meta.source = meta.source or canonical
        return True
    names = _parse_names(segment)
    if names:
        meta.names.extend(names)
        return True
    return False


def _parse_meta(line: str, sources: _Sources) -> _Meta | None:
    """Metadata carried by a header line, or None for an ordinary line."""
    if len(line) > 400:
        return None
    meta = _Meta()
    caption = _parse_caption(line)
    if caption:
        meta.caption = caption
        return meta
    if _parse_segment(line, sources, meta):
        return meta

    # "<source>, <date>" / "<source> | <byline>" / "<source>: <short rest>"
    split = sources.prefix(line)
    if split:
        canonical, rest = split
        meta = _Meta(source=canonical)
        if _parse_meta_segments(rest, sources, meta):
            return meta
        if len(rest.split()) <= 6 and not _SENTENCE_END_RE.search(rest):
            return _Meta(source=canonical)
    # "<byline>, <source>"
    split = sources.suffix(line)
    if split:
        canonical, rest = split
        meta = _Meta(source=canonical)
        if _parse_meta_segments(rest, sources, meta):
            return meta
    # "<byline> | <date>": only with a date or source among the segments.
    meta = _Meta()
    if _parse_meta_segments(line, sources, meta) and (meta.date or meta.source):
        return meta
    return None


def _parse_meta_segments(text: str, sources: _Sources, meta: _Meta) -> bool:
    segments = _SEGMENT_SEP_RE.split(text)
    return all(_parse_segment(s, sources, meta) for s in segments)


# --------------------------------------------------------------------------
# Headline, standfirst, dateline
# --------------------------------------------------------------------------


def _word_count(text: str) -> int:
    return len(text.split())


def _dateline(paragraph: str) -> str:
    match = _DATELINE_RE.match(paragraph)
    if not match:
        return ""
    place = match.group("place")
    if sum(c.isalpha() for c in place) < 3:
        return ""
    dateline = place.title()
    if match.group("region"):
        dateline += ", " + " ".join(match.group("region")[1:].split())
    return dateline


def _is_headline(line: str) -> bool:
    words = _word_count(line)
    if not 1 <= words <= 20 or len(line) > 200 or not _LETTER_RE.search(line):
        return False
    if line.rstrip(_CLOSERS)[-1:] in {".", ",", ";", ":"}:
        return False
    return not _dateline(line)


def _is_sentence(line: str) -> bool:
    return 4 <= _word_count(line) <= 60 and bool(_SENTENCE_END_RE.search(line))


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def extract(raw: str, *, known_sources: Iterable[str] = DEFAULT_SOURCES) -> Extracted:
    """Split a raw article text into headline, metadata and body."""
    cleaned = clean_text(raw)
    sources = _Sources(tuple(known_sources))

    paragraphs = [p.split("\n") for p in cleaned.text.split("\n\n")] if cleaned.text else []
    # Flat list of (paragraph index, line); the header zone is consumed line by line.
    lines = [(pi, line) for pi, para in enumerate(paragraphs) for line in para]
    meta_cache: dict[int, _Meta | None] = {}

    def meta_at(i: int) -> _Meta | None:
        if i not in meta_cache:
            meta_cache[i] = _parse_meta(lines[i][1], sources) if i < len(lines) else None
        return meta_cache[i]

    def alone(i: int) -> bool:
        return len(paragraphs[lines[i][0]]) == 1

    def next_in_same_paragraph(i: int) -> bool:
        return i + 1 < len(lines) and lines[i + 1][0] == lines[i][0]

    headline = standfirst = ""
    i = 0
    if len(lines) >= 2:
        first = lines[0][1]
        meta0 = meta_at(0)
        header_ok = alone(0) or (meta_at(1) is not None and next_in_same_paragraph(0))
        # A bare name at the very top ("Hun Sen Visits Tokyo") is a headline,
        # unless it is repeated on the next line (a doubled byline).
        bare_name = (
            not _BY_RE.match(first)
            and _is_name(first, loose=False)
            and lines[1][1] != first
        )
        if header_ok and _is_headline(first) and (meta0 is None or bare_name):
            headline, i = first, 1

    if headline and i < len(lines):
        candidate = lines[i][1]
        if (
            meta_at(i) is None
            and _is_sentence(candidate)
            and not _dateline(candidate)
            and (alone(i) or (meta_at(i + 1) is not None and next_in_same_paragraph(i)))
        ):
            following = [" ".join(p) for p in paragraphs[lines[i][0] + 1:]]
            is_standfirst = False
            if i + 1 < len(lines) and meta_at(i + 1) is not None:
                is_standfirst = True
            elif i + 1 < len(lines) and _dateline(lines[i + 1][1]):
                is_standfirst = True
            elif alone(i) and len(following) >= 3:
                median = statistics.median(_word_count(p) for p in following)
                words = _word_count(candidate)
                is_standfirst = words <= 35 and words <= 0.4 * median
            if is_standfirst:
                standfirst, i = candidate, i + 1

    bylines: list[str] = []
    captions: list[str] = []
    source = ""
    published: datetime.date | None = None
    published_at: datetime.datetime | None = None
    while i < min(len(lines), _MAX_HEADER_LINES):
        meta = meta_at(i)
        if meta is None:
            break
        for name in meta.names:
            if name not in bylines:
                bylines.append(name)
        if meta.caption:
            captions.append(meta.caption)
        source = source or meta.source
        if published is None and meta.date:
            published_at = meta.moment
        published = published or meta.date
        i += 1

    # Everything from line i on is body; keep the paragraph structure.
    grouped: list[list[str]] = []
    current = -1
    for pi, line in lines[i:]:
        if pi != current:
            grouped.append([])
            current = pi
        grouped[-1].append(line)
    body_paragraphs = ["\n".join(group) for group in grouped]
    body = "\n\n".join(body_paragraphs)
    dateline = _dateline(body_paragraphs[0]) if body_paragraphs else ""

    values = {
        "headline": headline,
        "standfirst": standfirst,
        "bylines": bylines,
        "source": source,
        "published": published,
        "dateline": dateline,
    }
    missing = tuple(name for name in FIELDS if not values[name])
    return Extracted(
        headline=headline,
        standfirst=standfirst,
        body=body,
        bylines=tuple(bylines),
        source=source,
        published=published,
        dateline=dateline,
        captions=tuple(captions),
        missing=missing,
        removed=cleaned.removed,
        published_at=published_at,
    )
