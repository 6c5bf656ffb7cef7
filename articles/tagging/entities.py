"""Find people, organisations and places in article text.

This module is *pure*: text and an :class:`AuthorityIndex` go in, a list of
:class:`EntitySuggestion` comes out.  No Django, no ORM, no network, no model
downloads.  The only third-party dependency is ``pyahocorasick`` (module
``ahocorasick``), used for the multi-pattern search over an authority list that
may hold 100,000 names and aliases.

Overview of one :meth:`AuthorityIndex.find` call
------------------------------------------------
1. **Normalise** the text into a search string of the *same length* (so offsets
   are shared): letters and digits are lower-cased, every other character
   (spaces, punctuation, all apostrophe / quote / hyphen / dash variants) becomes
   a boundary marker.  Every pattern is stored as ``marker + pattern + marker``,
   so a single Aho-Corasick pass only reports whole-word matches: "Japan" never
   matches inside "Japanese", "Abe" never inside "Aberdeen".  Because the
   apostrophe is a boundary, "Kamikawa’s" and "Kamikawa's" both yield the
   mention "Kamikawa" (the possessive is outside the span), and
   "Self-Defence" / "Self–Defence" / "Self Defence" are the same pattern.
2. **Case rules** are checked against the original text: a pattern token that
   is written with an initial capital needs an initial capital in the text
   ("sun" never matches a person called "Sun"; "HUN SEN" in a dateline does
   match).  Short all-caps acronyms (2-6 characters: ASEAN, CDC, JMSDF, UN) are
   case-sensitive; as a documented concession to house styles, acronyms of five
   or more letters also match in Titlecase ("Asean", "Unesco"), never in lower
   case.  Pass ``titlecase_acronyms=False`` to turn that off.
3. **Full matches** (record names, listed aliases, and the automatically
   generated reversed order of two-token person names: "Yoko Kamikawa" ⇄
   "Kamikawa Yoko") are resolved first, preferring the longest span
   ("Japan Maritime Self-Defence Force" beats "Japan"; "Royal University of
   Phnom Penh" beats the place "Phnom Penh" inside it).
4. **Short forms** of person names are resolved next (see below).
5. **New-person candidates** are found from role cues.
6. Mentions are aggregated per record into suggestions with a relation and a
   confidence.

Honorifics and titles
---------------------
Titles before a name ("Mr", "Mr.", "Dr", "H.E.", "HE", "Samdech", "Samdech
Techo", "Oknha", "Lok Chumteav", "Prime Minister", "Lieutenant General",
"General", "PM", …) are never part of a mention span, but they are recognised:
a titled mention counts as evidence for a *person* (confidence bonus; a
person/place homonym preceded by a title resolves to the person), a title is
not treated as "a longer capitalised name" around a short form ("Mr Abe",
"Prime Minister Abe"), and role titles are cues for new-person candidates.  An
alias that itself contains an honorific ("Samdech Techo Hun Sen") matches as
listed, with its full span.

Short forms (partial names)
---------------------------
For a person record with tokens ``t1 … tn`` (leading honorifics removed) the
short forms are every trailing sub-sequence (``tn``, ``tn-1 tn``, …) and every
leading sub-sequence (``t1``, ``t1 t2``, …).  At index build:

* a short form that starts (trailing) or ends (leading) with a lower-case
  particle, is a single character, or is a common English word / title
  ("Long", "May", "Will", "General"…) is dropped;
* a *leading* short form shared by two or more person records is dropped
  altogether: it is "the start of a longer capitalised name that is a
  different person" (so with Hun Sen and Hun Manet in the index, "Hun" alone
  never matches anything).

At find time a short-form occurrence is attached to a person only if

* the person is mentioned in full (name, listed alias or reversed form) in the
  text or headline, **and** either that full mention comes earlier, or the
  short form is unique in the whole authority list (a bare "Abe" before
  "Shinzo Abe" is accepted only when no other record uses "Abe");
* it is not glued to another capitalised word (next word capitalised, or
  previous word capitalised and not a title / common word / possessive):
  "Hun" in an unknown "Hun Xyz" or "Abe" in "Akie Abe" is not a short form;
* **ambiguity rule (chosen):** if two or more persons that share the short
  form qualify at that point (e.g. "Sen" after both "Hun Sen" and "Amartya
  Sen"), the occurrence is attached to **neither**.  Attaching to the most
  recently mentioned person is right more often than not, but a wrong tag is
  more costly to editors than a missed one.

Place / organisation inside a longer unknown proper noun (chosen rule)
-----------------------------------------------------------------------
A match directly followed by up to three capitalised words ending in a
facility / institution / media head noun ("Port", "Post", "Bridge",
"University", "Academy", "Times", …), or directly preceded by such a head noun
plus "of"/"for" (+ "the"), is treated as part of that unknown proper noun and
is *not* a mention: "Sihanoukville Autonomous Port" is not a mention of the
place Sihanoukville, "The Phnom Penh Post" is not Phnom Penh, "Japan-Cambodia
Friendship Bridge" mentions neither country, "Royal Academy of Cambodia" is
not a mention of Cambodia.  A lower-case head ("a port in Sihanoukville",
"Sihanoukville port") does not trigger the rule, and neither do non-facility
words ("Cambodia-Japan Ties", "ASEAN-Japan Summit" still mention Japan).

Ambiguity between records
-------------------------
When the best span carries several records (the index allows e.g. a place
"Japan" and an organisation with alias "Japan"), one suggestion is made for the
primary record, chosen in this order: a record that is also mentioned
unambiguously elsewhere in the text; a person when the mention is preceded by a
title; a listed name over an alias (over a generated reversed form); kind order
place > organisation > person; lower rejection rate; record key.  The other
keys go into ``alternatives`` and the confidence is multiplied by
``1 - 0.4 * (share of the suggestion's mentions that were ambiguous)``.

Relation rule
-------------
``"about"`` if the record is in the headline, **or** its first mention starts
within the first :data:`LEAD_CHARS` (300) characters and it is mentioned at
least twice, **or** it is mentioned at least three times; otherwise
``"mentions"``.  The same rule applies to new-person candidates.

Confidence
----------
``0.30 + 0.35 * quality + min(0.15, 0.05 * (mentions - 1)) + 0.10 if early
(first mention in the lead or in the headline) + 0.05 if in the headline +
0.03 if any mention is titled``, where quality is the best kind among the
mentions in the text (name 1.0, listed alias 0.95, generated reversed order
0.9, short form only 0.7, new-person candidate 0.6; for a record seen only in
the headline, the headline form's kind); then multiplied by the ambiguity factor above
and by ``1 - rate`` where rate is the mean editor rejection rate of the forms
that produced the mentions (``Record.rejection_rates`` keyed by the name or
alias as written; a short form or reversed form uses its own entry if present,
else the name's).  New-person candidates are capped at 0.75.  Always clamped to
[0, 1].

New-person candidates
---------------------
A capitalised 2-4-token name not in the index, right after a role phrase
("researcher Ek Bunly", "Japanese ambassador to Cambodia Atsushi Ueno",
"Japanese General Koji Yamazaki", "Foreign minister Prak Sokhonn") or before a
role appositive ("Thong Mengdavid, a lecturer at …", "Yang Peou,
secretary-general of …").  A role phrase before the name extends leftwards
over capitalised words, role modifiers ("deputy", "senior"), connectors between
capitalised words and parenthesised acronyms, but never over another person's
name or a line break; an appositive role runs to the next comma, semicolon,
sentence end or reporting verb ("said", "who").  A pure honorific ("Mr",
"Oknha") is a cue but gives an empty role.  Name tokens must not be common words, organisation
words, demonyms, titles or parts of a known mention, so "Royal Cambodian Navy"
or "Sihanoukville Autonomous Port" are never proposed.  Later occurrences of
the full name and of its trailing short forms ("Bunly", "Mengdavid") are
attached to the candidate (same ambiguity and glued-word rules as above; only
trailing forms, since for an unknown name we cannot tell which end is the
family name).

Output order: persons, organisations, places (other kinds last), each by first
mention in the text; records seen only in the headline come last in their kind.

Known gaps
----------
* Names split by two spaces or a paragraph break do not match (no whitespace
  collapsing, to keep offsets exact and the hot path fast).
* Only the Basic Multilingual Plane's punctuation is treated as boundaries.
* The candidate finder is heuristic English-news grammar; unusual
  constructions ("said Ek Bunly, who …") are not cues.
* Nicknames, transliteration variants and inflected forms are only found if
  listed as aliases.
* A leading short form is only suppressed when it starts two or more persons'
  names in the index: with "Hun Sen" as the only "Hun …" person, a bare "Hun"
  (not followed by a capitalised word) after "Hun Sen" is attached to him.
* Memory: about 220 MiB of RSS for an index of 100,000 names and aliases
  (mostly the automaton's trie, which also holds the generated reversed and
  short forms); see ``bench/tagging_entities.py``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import ahocorasick

__all__ = [
    "Record",
    "Mention",
    "EntitySuggestion",
    "AuthorityIndex",
    "LEAD_CHARS",
]

# --------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    kind: str  # "person" | "organisation" | "place"
    key: str  # the record's slug, e.g. "yoko-kamikawa"
    name: str  # display name "Yoko Kamikawa"
    aliases: tuple[str, ...] = ()
    # alias (as written in aliases/name) -> rejection rate 0..1; lowers confidence
    rejection_rates: Mapping[str, float] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int  # text == article_text[start:end]
    # for a bare surname shared by several people named in full: every record
    # key it may stand for (the suggestion's own first), for the editor
    candidates: tuple[str, ...] = ()


@dataclass
class EntitySuggestion:
    kind: str
    name: str  # record name, or the full name as written for a new-person candidate
    record: str | None  # record key, or None for a candidate not in the authority list
    relation: str  # "about" | "mentions"
    confidence: float  # 0..1
    mentions: list[Mention]
    role: str = ""  # for new-person candidates: the role the text gives
    alternatives: list[str] = field(default_factory=list)  # other record keys when ambiguous
    headline_mentions: list[Mention] = field(default_factory=list)  # offsets into the headline


# --------------------------------------------------------------------------
# Tunables (documented in the module docstring)
# --------------------------------------------------------------------------

LEAD_CHARS = 300  # "first paragraph" for the relation rule and the early bonus
AMBIGUITY_PENALTY = 0.4
CANDIDATE_CAP = 0.75
KIND_ORDER = {"person": 0, "organisation": 1, "place": 2}
# tie-break between homonymous records of different kinds (lower wins)
_AMBIGUITY_KIND_PREF = {"place": 0, "organisation": 1, "person": 2}

# form types
_NAME, _ALIAS, _REVERSED, _SHORT, _CANDIDATE = 0, 1, 2, 3, 4
_FORM_QUALITY = {_NAME: 1.0, _ALIAS: 0.95, _REVERSED: 0.9, _SHORT: 0.7, _CANDIDATE: 0.6}
_FULL_TIER = {_NAME: 0, _ALIAS: 0, _REVERSED: 1}

# cue flags
_CUE_ROLE = 1  # role noun / title: gives a role for new-person candidates
_CUE_HONORIFIC = 2  # pure honorific: a cue, but contributes no role text
_CUE_POSSESSIVE = 4  # a place's possessive ("Japan's Minoru Kihara"): the name follows at once

# --------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------

# Pure honorifics: recognised before names, cue for candidates, no role text.
_HONORIFICS = (
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Madam", "Madame", "Sir", "Dame", "Dr",
    "Prof", "Lord", "Lady", "Hon", "Honourable", "Venerable", "Ven", "Rev",
    "Reverend", "Sheikh", "Datuk", "Dato", "Tan Sri", "Tun",
    "H.E.", "HE", "His Excellency", "Her Excellency", "Excellency",
    "Samdech", "Samdech Techo", "Techo", "Samdech Akka Moha Sena Padei Techo",
    "Akka Moha Sena Padei Techo", "Samdech Vibol Sena Pheakdei",
    "Oknha", "Neak Oknha", "Lok", "Lok Chumteav", "Chumteav", "Neak",
)

# Role nouns / titles (matched case-insensitively unless all-caps as listed).
_ROLES = (
    "prime minister", "deputy prime minister", "minister", "foreign minister",
    "defence minister", "defense minister", "state minister", "senior minister",
    "president", "vice president", "vice-president", "president-elect",
    "ambassador", "envoy", "diplomat", "consul", "counsellor", "attaché", "attache",
    "researcher", "research fellow", "fellow", "lecturer", "professor", "scholar",
    "analyst", "economist", "historian", "scientist", "political scientist", "expert",
    "spokesman", "spokeswoman", "spokesperson",
    "secretary-general", "secretary general", "secretary", "under-secretary",
    "undersecretary", "secretary of state", "state secretary", "under secretary of state",
    "director", "director-general", "director general", "deputy director",
    "governor", "governor-general", "mayor", "senator", "lawmaker", "legislator",
    "general", "lieutenant general", "major general", "brigadier general",
    "lieutenant-general", "major-general", "commander", "commander-in-chief",
    "admiral", "vice admiral", "rear admiral", "colonel", "captain", "lieutenant",
    "commissioner", "police chief",
    "chairman", "chairwoman", "chairperson", "vice chairman", "chief", "head",
    "leader", "founder", "co-founder", "chief executive", "executive",
    "official", "officer", "counterpart", "representative", "delegate",
    "premier", "chancellor", "king", "queen", "prince", "princess", "emperor",
    "empress", "crown prince", "speaker",
    "observer", "commentator", "consultant", "adviser", "advisor", "coordinator",
    "manager", "editor", "journalist", "reporter", "activist", "lawyer", "attorney",
    "judge", "justice", "prosecutor", "dean", "rector", "deputy",
    "tycoon", "businessman", "businesswoman", "entrepreneur", "monk", "abbot",
    "successor", "predecessor",
    # ordinary people quoted in news: "Farmer Sok Dara", "a water engineer at …"
    "engineer", "farmer", "resident", "villager", "columnist", "writer", "author",
    "teacher", "student", "doctor", "nurse", "vendor", "trader", "driver", "worker",
    "labourer", "fisherman", "fishermen", "owner", "shopkeeper", "shop owner", "mother",
    "father", "widow", "survivor", "witness", "victim", "volunteer", "organiser",
    "organizer", "photographer", "correspondent", "producer", "artist", "singer",
    "actor", "actress", "athlete", "coach", "player", "pilot", "soldier", "architect",
    "planner", "accountant", "banker", "investor", "developer", "contractor",
    "PM", "MP", "CEO",
)

_STOPWORDS = frozenset(
    """
    a an the and or but nor if so yet as at by for from in into of off on onto out
    over per than that this these those to up upon via with within without about
    above across after against along amid among around before behind below beneath
    beside besides between beyond despite during except inside near since through
    throughout toward towards under unlike until while
    i me my we our us you your he him his she her it its they them their who whom
    whose which what when where why how whether there here then now also both all
    any each every either neither some many much more most few other such no not
    only just even still however meanwhile moreover furthermore therefore thus
    indeed instead otherwise although though because unless whereas
    is was are were be been being has have had do does did will would shall should
    can could may might must
    said says say told tell added adds noted notes according asked explained stated
    yes one two three four five six seven eight nine ten first second third last
    next new old former late early later latest senior junior
    monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december
    today yesterday tomorrow week month year
    mr mrs ms dr
    """.split()
)

# Words that make a capitalised token "not a personal name" (organisation
# heads, common nouns/adjectives seen in titles, demonyms).
_NOT_NAME_WORDS = frozenset(
    """
    ministry ministries council committee commission agency authority department
    office bureau institute institution university college school academy centre
    center foundation association federation union society club party group
    company corporation corp inc ltd limited bank fund court government parliament
    senate assembly congress kingdom republic state states province city district
    commune village port airport bridge road street avenue boulevard highway base
    navy army air force forces police guard military embassy consulate hospital
    hotel market park museum pagoda temple station tower post times news daily
    press television radio studies affairs cooperation development international
    national regional foreign defence defense economic economy security strategic
    royal general east west north south southeast northeast asia pacific summit
    conference forum meeting programme program project initiative strategy
    partnership agreement treaty charter war peace friendship ties relations
    maritime self autonomous peninsula sea ocean river island islands mount lake
    world global united nations people peoples emperor birthday celebration
    anniversary diplomatic relations indo middle deployment exercise exercises
    vision mekong institute transitional ministry justice human rights
    cambodian cambodians japanese chinese american americans thai vietnamese lao
    laotian korean korean indian british french german russian australian khmer
    asian european african filipino indonesian malaysian singaporean burmese
    myanmar ukrainian israeli palestinian british english european western
    eastern northern southern
    palace hall stadium arena plaza square building gate garden gardens castle
    cathedral church mosque monument memorial complex terminal harbour harbor pier
    wharf dam canal campus library prison clinic centre theatre theater
    commerce finance interior health education agriculture forestry fisheries
    tourism environment labour labor industry energy mines information culture
    planning transport trade land water resources posts telecommunications
    religion cults women youth sport sports veterans welfare infrastructure
    technology science innovation investment operations communications
    motor motors holdings airlines electric industries enterprises
    """.split()
)

# Single-token short forms that are common English words when capitalised.
_COMMON_SHORT = frozenset(
    """
    long young king sun may will rich hope grace faith joy rose bill mark frank
    guy art gay love bright little white black brown green gray grey strong power
    early wise hill wood woods field lane street ford bank cash gold silver
    price cook baker smith miller hunter fisher carter parker turner mason
    golden lucky pretty happy new old big small good best well wells park man
    son day dao van von de da la le del di du san dan sam am an so som
    """.split()
)

# Facility / institution / media heads that make a place or organisation inside
# them part of a longer unknown proper noun.
_FACILITY_HEADS = (
    "Port", "Airport", "Post", "Times", "Daily", "Herald", "Tribune", "Bridge",
    "Road", "Street", "Boulevard", "Avenue", "Highway", "University", "Academy",
    "Institute", "College", "School", "Hospital", "Clinic", "Bank", "Embassy",
    "Consulate", "Hotel", "Market", "Stadium", "Museum", "Pagoda", "Temple",
    "Station", "Tower", "Library", "Airlines", "Airways", "Plaza", "Mall",
    "Square", "Building", "Campus", "Prison", "Court", "Park", "Centre", "Center",
    "Foundation", "Company", "Corporation", "Club",
)

_CONNECTORS = frozenset("of for the to and at in on".split())
_ROLE_MODIFIERS = frozenset(
    """
    deputy former senior junior foreign defence defense vice acting chief assistant
    associate research political economic military regional local independent
    state permanent special executive general interim outgoing incoming then
    top lead principal visiting water civil chief rice local
    """.split()
)
_ROLE_END_WORDS = frozenset(
    "said says told added noted explained stated who which whose that believes believed".split()
)

# --------------------------------------------------------------------------
# Normalisation: same length as the input, letters/digits lower-cased,
# everything else (incl. apostrophes, hyphens, dashes) -> boundary marker.
# --------------------------------------------------------------------------

_B = "\x01"

_ASCII_TABLE = bytes(
    (ord(chr(c).lower()) if chr(c).isalnum() else 1) for c in range(128)
) + bytes([1] * 128)

# common non-ASCII punctuation/spaces replaced up front so ordinary English
# text stays on the fast ASCII path
_COMMON_NON_ASCII = (
    "\u2019\u2018\u201c\u201d\u2013\u2014\u2010\u2011\u2012\u2212\u2026\u00a0"
    "\u2032\u00ab\u00bb\u00b7\u2022\u200b\u2009\u202f\u2002\u2003"
)


@functools.lru_cache(maxsize=1)
def _unicode_table() -> dict[int, str]:
    """Non-ASCII punctuation, symbols, separators and format characters of the
    Basic Multilingual Plane -> boundary (built on first use, ~30 ms)."""
    table: dict[int, str] = {}
    for cp in range(0x80, 0x10000):
        cat = unicodedata.category(chr(cp))
        if cat[0] in "PZS" or cat in ("Cc", "Cf"):
            table[cp] = _B
    return table


_NON_ASCII_RUN = re.compile("([^\x00-\x7f]+)")


def _normalize(text: str) -> str:
    """Same-length search form of ``text`` (see module docstring)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    low = text.lower()
    if len(low) != len(text):  # e.g. "İ" lowers to two code points: keep 1:1
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    for ch in _COMMON_NON_ASCII:
        if ch in low:
            low = low.replace(ch, _B)
    if low.isascii():
        return low.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    parts = _NON_ASCII_RUN.split(low)
    for i, part in enumerate(parts):
        if i % 2:
            parts[i] = part.translate(_unicode_table())
        elif part:
            parts[i] = part.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    return "".join(parts)


# --------------------------------------------------------------------------
# Case masks
# --------------------------------------------------------------------------

_CAP, _ACR = 0, 1
_CAP0 = ((0, _CAP, None, None),)  # most common mask: one capitalised token


def _form_key(form: str) -> tuple[str, int]:
    """Automaton key for ``form`` and the offset of its core inside ``form``."""
    norm = _normalize(form)
    core = norm.strip(_B)
    lead = len(norm) - len(norm.lstrip(_B))
    return (_B + core + _B if core else ""), lead


class _Interner(dict):
    def get_or_add(self, value):
        got = self.get(value)
        if got is None:
            self[value] = got = value
        return got


# --------------------------------------------------------------------------
# Context regexes
# --------------------------------------------------------------------------

_HEADS_ALT = "|".join(_FACILITY_HEADS)
_FACILITY_AFTER = re.compile(
    r"(?:[ \t]+|[ \t]*[-\u2010\u2011\u2013][ \t]*)"
    r"(?:[A-Z][\w\-]*[ \t]+){0,3}(?:" + _HEADS_ALT + r")(?![\w\-])"
)
_FACILITY_BEFORE = re.compile(
    r"(?<![\w\-])(?:" + _HEADS_ALT + r")[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?\Z"
)
_WORD_AT = re.compile(r"[^\W_]+(?:['\u2019\-\u2010\u2011][^\W_]+)*")
_TOK = re.compile(r"[^\W_]+(?:['\u2019\-\u2010\u2011][^\W_]+)*|[^\w\s]")
_ROLE_END = re.compile(
    r"[,;:\n\u201c\u201d\"]|\.(?:\s|\Z)|\s(?:" + "|".join(_ROLE_END_WORDS) + r")\b"
)
_AGE_BEFORE = re.compile(r",[ \t]*\d{1,3}[ \t]*,\Z")
# a capitalised (or uncased-script) word after a cue, possibly after connectors
_CUE_NEXT = re.compile(r"[ \t]{1,2}(?:(?:to|of|for|the|at|in|on|and)[ \t]+){0,3}[^\W\d_a-z]")


def _strip_possessive(tok: str) -> tuple[str, bool]:
    for suf in ("'s", "\u2019s", "'S", "\u2019S"):
        if tok.endswith(suf) and len(tok) > len(suf):
            return tok[: -len(suf)], True
    return tok, False


def _is_name_token(tok: str) -> bool:
    """Could ``tok`` be part of a personal name (for new-person candidates)?"""
    if not tok or not tok[0].isupper():
        return False
    if len(tok) >= 2 and tok.isupper():  # acronym
        return False
    if any(c.isdigit() for c in tok):
        return False
    low = tok.lower()
    return not (
        low in _STOPWORDS
        or low in _NOT_NAME_WORDS
        or low in _ROLE_WORDS
        or low in _HONORIFIC_WORDS
    )


_ROLE_WORDS = (
    frozenset(w.lower() for r in _ROLES for w in r.split()) | frozenset(r.lower() for r in _ROLES)
) - _CONNECTORS
_HONORIFIC_WORDS = frozenset(
    w.lower().strip(".") for h in _HONORIFICS for w in h.split()
) | frozenset(h.lower() for h in _HONORIFICS)
_TITLE_WORDS = _ROLE_WORDS | _HONORIFIC_WORDS


# --------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------


class AuthorityIndex:
    """Built once per process from records (100k names: build takes seconds);
    immutable and thread-safe to read (``find`` only reads shared state).

    Automaton values are tuples
    ``(len(key) - 1, full_groups, short_groups, n_records, cue_groups, needcap)``:

    * ``full_groups``: ``((mask, ((rec, form_type, form), ...)), ...)``
    * ``short_groups``: ``((mask, recs, form), ...)`` where ``recs`` is a tuple
      (small) or frozenset (large) of record indexes
    * ``n_records``: distinct records using this key in any form
    * ``cue_groups``: ``((mask, flags), ...)`` for titles / role nouns
    * ``needcap``: every name form of this key needs an initial capital
    """

    __slots__ = (
        "_kinds", "_keys", "_names", "_rates", "_name_rate", "_automaton",
        "_titlecase_acronyms", "_by_key", "_frozen",
    )

    def __init__(self, records: Iterable[Record], *, titlecase_acronyms: bool = True) -> None:
        object.__setattr__(self, "_frozen", False)
        self._titlecase_acronyms = titlecase_acronyms
        kinds: list[str] = []
        keys: list[str] = []
        names: list[str] = []
        rates: list[Mapping[str, float]] = []
        name_rate: list[float] = []
        masks = _Interner()
        masks.get_or_add(_CAP0)  # the common single-capital mask is the shared constant
        # key -> [full: {mask: [entries]}, short: {mask: [recs, form]}, cues: {mask: flags}]
        table: dict[str, list] = {}

        def slot(key: str) -> list:
            s = table.get(key)
            if s is None:
                s = table[key] = [None, None, None]
            return s

        info_cache: dict[str, tuple[str, tuple]] = {}

        def form_info(form: str) -> tuple[str, tuple]:
            """(automaton key, case mask) of a form; memoised (short forms repeat)."""
            got = info_cache.get(form)
            if got is None:
                key, lead = _form_key(form)
                mask = masks.get_or_add(self._mask(form, key, lead)) if key else ()
                got = info_cache[form] = (key, mask)
            return got

        def add_full(form: str, rec: int, ftype: int) -> str:
            key, lead = _form_key(form)
            if not key:
                return key
            mask = masks.get_or_add(self._mask(form, key, lead))
            s = slot(key)
            if s[0] is None:
                s[0] = {}
            ents = s[0].setdefault(mask, [])
            for e in ents:
                if e[0] == rec:  # same record, same key: keep the best form type
                    return key
            ents.append((rec, ftype, form))
            return key

        short_candidates: list[tuple[str, int, bool]] = []  # (form, rec, leading?)

        for rec_idx, r in enumerate(records):
            kinds.append(r.kind)
            keys.append(r.key)
            names.append(r.name)
            rr = dict(r.rejection_rates) if r.rejection_rates else {}
            rates.append(rr)
            name_rate.append(_clamp(float(rr.get(r.name, 0.0))))
            own_forms = {add_full(r.name, rec_idx, _NAME)}
            for alias in r.aliases:
                if alias and alias != r.name:
                    own_forms.add(add_full(alias, rec_idx, _ALIAS))
            if r.kind != "person":
                for form in (r.name, *r.aliases):
                    for variant in _spelling_variants(form) | _possessive_variants(form, r.kind):
                        add_full(variant, rec_idx, _ALIAS)
                continue
            toks = _person_tokens(r.name)
            if len(toks) == 2:
                add_full(toks[1] + " " + toks[0], rec_idx, _REVERSED)
            if len(toks) >= 2:
                seen: set[tuple[str, bool]] = set()
                for k in range(1, len(toks)):
                    for form, leading in ((" ".join(toks[k:]), False), (" ".join(toks[:k]), True)):
                        if not _valid_short(form, leading):
                            continue
                        sk = form_info(form)[0]
                        if not sk or sk in own_forms or (sk, leading) in seen:
                            continue
                        seen.add((sk, leading))
                        short_candidates.append((form, rec_idx, leading))

        for form, rec_idx, leading in short_candidates:
            key, mask = form_info(form)
            s = slot(key)
            if s[1] is None:
                s[1] = {}
            grp = s[1].get(mask)
            if grp is None:
                s[1][mask] = [[rec_idx], form]
            elif grp[0][-1] != rec_idx:
                grp[0].append(rec_idx)
        info_cache.clear()

        for cue_list, flags in ((_ROLES, _CUE_ROLE), (_HONORIFICS, _CUE_HONORIFIC)):
            for form in cue_list:
                key, lead = _form_key(form)
                mask = masks.get_or_add(self._mask(form, key, lead))
                s = slot(key)
                if s[2] is None:
                    s[2] = {}
                s[2][mask] = s[2].get(mask, 0) | flags

        automaton = ahocorasick.Automaton()
        del short_candidates
        while table:  # pop as we go so build memory is reused by the automaton
            key, (full, short, cues) = table.popitem()
            full_groups = ()
            short_groups = ()
            n_recs = 0
            if full:
                full_groups = tuple((m, tuple(ents)) for m, ents in full.items())
            if short:
                short_groups = tuple(
                    (m, tuple(rl) if len(rl) <= 8 else frozenset(rl), form) for m, (rl, form) in short.items()
                )
            if short_groups or len(full_groups) > 1 or (full_groups and len(full_groups[0][1]) > 1):
                recs = {e[0] for _, ents in full_groups for e in ents}
                for _, rl, _ in short_groups:
                    recs.update(rl)
                n_recs = len(recs)
            elif full_groups:
                n_recs = 1
            cue_groups = tuple(cues.items()) if cues else ()
            needcap = bool(full_groups or short_groups)
            for g in full_groups + short_groups:
                if not g[0] or g[0][0][0] != 0:
                    needcap = False
                    break
            automaton.add_word(key, (len(key) - 1, full_groups, short_groups, n_recs, cue_groups, needcap))
        automaton.make_automaton()

        self._kinds = tuple(kinds)
        self._keys = tuple(keys)
        self._names = tuple(names)
        self._rates = tuple(rates)
        self._name_rate = tuple(name_rate)
        self._automaton = automaton
        self._by_key = {}
        for i, k in enumerate(keys):
            self._by_key.setdefault(k, i)
        object.__setattr__(self, "_frozen", True)

    # immutability -------------------------------------------------------
    def __setattr__(self, name, value):
        if getattr(self, "_frozen", False):
            raise AttributeError("AuthorityIndex is immutable")
        object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __repr__(self) -> str:
        return f"<AuthorityIndex records={len(self._keys)} patterns={len(self._automaton)}>"

    # build helpers --------------------------------------------------------
    def _mask(self, form: str, key: str, lead: int) -> tuple:
        """Case requirements of ``form``: ((offset, mode, token, alt), ...)."""
        out = []
        off = 0
        for part in key[1:-1].split(_B):
            if part:
                tok = form[lead + off: lead + off + len(part)]
                if 2 <= len(tok) <= 6 and tok.isupper():
                    alt = None
                    if self._titlecase_acronyms and len(tok) >= 5 and tok.isalpha():
                        alt = tok[0] + tok[1:].lower()
                    out.append((off, _ACR, tok, alt))
                elif tok[0].isupper():
                    out.append((off, _CAP, None, None))
            off += len(part) + 1
        return tuple(out)

    # ----------------------------------------------------------------------
    def find(self, text: str, *, headline: str = "") -> list[EntitySuggestion]:
        """All three kinds plus new-person candidates, sorted by kind then
        first mention.  Spans are offsets into ``text``."""
        if not text and not headline:
            return []
        ac_text = _B + _normalize(text) + _B
        fulls, shorts, cues = self._scan(text, ac_text)
        titled = _titled_starts(text, cues)
        occ = bytearray(len(text))

        # -- stage 1: full matches ------------------------------------------
        sel_full = self._select_full(text, fulls, occ)
        first_full: dict[int, int] = {}
        unamb: set[int] = set()
        for s, e, ents in sel_full:
            if len(ents) == 1:
                unamb.add(ents[0][0])

        h_first: dict[int, int] = {}
        h_sel: list = []
        h_shorts: list = []
        if headline:
            h_ac = _B + _normalize(headline) + _B
            h_fulls, h_shorts, h_cues = self._scan(headline, h_ac)
            h_occ = bytearray(len(headline))
            h_sel = self._select_full(headline, h_fulls, h_occ)
            for s, e, ents in h_sel:
                if len(ents) == 1:
                    unamb.add(ents[0][0])

        # [s, e, rec, ftype, form, alts, titled, shared]: `shared` lists every
        # person a bare surname may stand for when several are named in full
        resolved: list[list] = []
        for s, e, ents in sel_full:
            rec, ftype, form, alts = self._choose(ents, unamb, s in titled)
            resolved.append([s, e, rec, ftype, form, alts, s in titled, ()])
            if rec not in first_full:
                first_full[rec] = s
        h_recs: dict[int, tuple[int, str, tuple]] = {}
        h_spans: dict[int, list] = {}
        for s, e, ents in h_sel:
            rec, ftype, form, alts = self._choose(ents, unamb, False)
            h_recs.setdefault(rec, (ftype, form, alts))
            h_spans.setdefault(rec, []).append((s, e))
            h_first.setdefault(rec, -1)
        # headline full mentions precede the text
        mentioned = dict(first_full)
        for rec in h_first:
            mentioned[rec] = -1
        persons = [(r, p) for r, p in mentioned.items() if self._kinds[r] == "person"]

        # -- stage 2: short forms ---------------------------------------------
        if persons and shorts:
            full_at = {(m[0], m[1]): m for m in resolved}
            shorts.sort(key=lambda h: (h[0] - h[1], h[0]))
            for s, e, groups, nrec in shorts:
                valid: dict[int, str] = {}
                for recs, form in groups:
                    for r, p in persons:
                        if r in recs and (p < s or nrec == 1):
                            valid[r] = form
                if not valid:
                    continue
                shared = ()
                if len(valid) > 1:
                    # several people named in full share it: the latest named
                    # before it carries the mention, the editor sees them all
                    order = sorted(valid, key=lambda r: -mentioned[r])
                    shared = tuple(self._keys[r] for r in order)
                    rec = order[0]
                    form = valid[rec]
                else:
                    rec, form = next(iter(valid.items()))
                same = full_at.get((s, e))
                if same is not None:
                    # exact homonym of a full match (e.g. a place "Abe" after
                    # "Shinzo Abe"): the person in context wins, the other stays
                    # as an alternative
                    if not shared and same[2] != rec and same[3] != _SHORT:
                        alts = tuple(k for k in (self._keys[same[2]],) + same[5] if k != self._keys[rec])
                        same[2:6] = [rec, _SHORT, form, alts]
                    continue
                if occ.find(1, s, e) != -1:
                    continue
                if _glued(text, s, e, s in titled):
                    continue
                occ[s:e] = b"\x01" * (e - s)
                resolved.append([s, e, rec, _SHORT, form, (), s in titled, shared])
        if headline and h_shorts and persons:
            for s, e, groups, nrec in h_shorts:
                if h_occ.find(1, s, e) != -1:
                    continue  # inside a full name of the headline
                valid = {r: form for recs, form in groups for r, _ in persons if r in recs}
                if len(valid) == 1:
                    rec, form = next(iter(valid.items()))
                    h_recs.setdefault(rec, (_SHORT, form, ()))
                    h_spans.setdefault(rec, []).append((s, e))

        self._demote_foreign_acronyms(text, ac_text, resolved)

        # -- stage 3: new-person candidates -----------------------------------
        cands = (self._candidates(text, ac_text, cues, occ, fulls, titled, resolved)
                 if cues or resolved else [])

        # -- stage 4: aggregate --------------------------------------------------
        return self._aggregate(text, resolved, h_recs, cands, headline, h_spans)

    # ----------------------------------------------------------------------
    def _scan(self, text: str, ac_text: str):
        """One Aho-Corasick pass; returns case-checked full hits, short hits
        and cue hits."""
        fulls = []
        shorts = []
        cues = []
        cap0 = _CAP0
        for ei, (kl, full_groups, short_groups, nrec, cue_groups, needcap) in self._automaton.iter(ac_text):
            s = ei - kl
            if cue_groups:
                flags = 0
                for mask, f in cue_groups:
                    if not mask or _mask_ok(text, s, mask):
                        flags |= f
                if flags:
                    cues.append((s, ei - 1, flags))
            if needcap and not text[s].isupper():
                continue  # every name form here needs an initial capital
            if full_groups:
                if len(full_groups) == 1:
                    mask, ents = full_groups[0]
                    if mask is not cap0 and not _mask_ok(text, s, mask):
                        ents = ()
                else:
                    ents = ()
                    for mask, group in full_groups:
                        if mask is cap0 or _mask_ok(text, s, mask):
                            ents = ents + group if ents else group
                if ents:
                    fulls.append((s, ei - 1, ents))
            if short_groups:
                groups = [
                    (recs, form)
                    for mask, recs, form in short_groups
                    if mask is cap0 or _mask_ok(text, s, mask)
                ]
                if groups:
                    shorts.append((s, ei - 1, groups, nrec))
        return fulls, shorts, cues

    def _select_full(self, text: str, fulls: list, occ: bytearray) -> list:
        """Longest spans first; drop spans inside unknown facility names."""
        if not fulls:
            return []
        fulls.sort(key=lambda h: (h[0] - h[1], h[0]))
        chosen = []
        for s, e, ents in fulls:
            if occ.find(1, s, e) != -1:
                continue
            if _inside_facility(text, s, e):
                continue
            # keep only the best tier (listed names/aliases over generated forms)
            if len(ents) > 1:
                best = min(_FULL_TIER[x[1]] for x in ents)
                ents = tuple(x for x in ents if _FULL_TIER[x[1]] == best)
                # one entry per record
                seen = set()
                uniq = []
                for x in sorted(ents, key=lambda x: x[1]):
                    if x[0] not in seen:
                        seen.add(x[0])
                        uniq.append(x)
                ents = tuple(uniq)
            occ[s:e] = b"\x01" * (e - s)
            chosen.append((s, e, ents))
        chosen.sort()
        return chosen

    def _choose(self, ents: tuple, unamb: set[int], titled: bool):
        """Primary record of a (possibly ambiguous) span + alternatives."""
        if len(ents) == 1:
            rec, ftype, form = ents[0]
            return rec, ftype, form, ()
        kinds = self._kinds

        def rank(x):
            rec, ftype, form = x
            return (
                0 if rec in unamb else 1,
                0 if (titled and kinds[rec] == "person") else 1,
                ftype,
                _AMBIGUITY_KIND_PREF.get(kinds[rec], 3),
                self._rate(rec, form),
                self._keys[rec],
            )

        ordered = sorted(ents, key=rank)
        rec, ftype, form = ordered[0]
        primary = self._keys[rec]
        alts = tuple(dict.fromkeys(self._keys[x[0]] for x in ordered[1:] if self._keys[x[0]] != primary))
        return rec, ftype, form, alts

    def _demote_foreign_acronyms(self, text: str, ac_text: str, resolved: list) -> None:
        """Drop a short all-caps acronym of an organisation or place ("CDC")
        written right after another country ("the US CDC", "China's CDC"),
        unless the record's long form is in the text too: acronyms are shared
        across countries, and the country names which one is meant."""
        kinds, names = self._kinds, self._names
        long_seen = {m[2] for m in resolved if not _is_acronym(m[4])}
        place_end = {m[1]: m[2] for m in resolved if kinds[m[2]] == "place"}
        keep = []
        for m in resolved:
            rec = m[2]
            if kinds[rec] != "person" and rec not in long_seen and _is_acronym(m[4]):
                prev = _word_before(text, m[0])
                if prev is not None:
                    word, start, end = prev
                    geo = word.lower().strip(".") in _GEO_WORDS or end in place_end
                    if geo and not _shares_stem(word, names[rec]):
                        continue
            keep.append(m)
        resolved[:] = keep

    def _rate(self, rec: int, form: str) -> float:
        r = self._rates[rec].get(form)
        if r is None:
            return self._name_rate[rec]
        return _clamp(float(r))

    # ----------------------------------------------------------------------
    def _candidates(self, text, ac_text, cues, occ, fulls, titled, resolved):
        """New-person candidates from role cues; returns list of
        [name, role, [(s, e), ...]] with mentions sorted."""
        found: dict[str, list] = {}
        order: list[str] = []
        # tokens that belong to any known name (even one rejected as a mention,
        # e.g. "Sihanoukville" in "Sihanoukville Autonomous Port") are never
        # part of a new name
        known = bytearray(occ)
        for s, e, _ents in fulls:
            known[s:e] = b"\x01" * (e - s)
        # person spans (known or candidate): a role phrase never extends over them
        people = bytearray(len(text))
        kinds = self._kinds
        for m in resolved:
            if kinds[m[2]] == "person":
                people[m[0]:m[1]] = b"\x01" * (m[1] - m[0])
        cues = list(cues)
        for m in resolved:
            if kinds[m[2]] == "place" and text[m[1]:m[1] + 2] in ("'s", "\u2019s"):
                cues.append((m[0], m[1] + 2, _CUE_POSSESSIVE))
        cues.sort(key=lambda c: (c[1], c[0]))  # longest cue first at each end
        for cs, ce, flags in cues:
            if flags & _CUE_POSSESSIVE:
                res = _cue_before_name(text, cs, ce, known, people, immediate=True)
                if res is not None:
                    res = (res[0], res[1], "")  # a country is not a role
                before, after = res, None
            elif occ.find(1, cs, ce) != -1:
                continue  # cue inside a known mention
            else:
                before = _cue_before_name(text, cs, ce, known, people)
                after = _appositive(text, cs, ce, known, flags)
            for res in (before, after):
                if res is None:
                    continue
                tokens, span, role = res
                if not flags & _CUE_ROLE and span[0] > cs:
                    role = ""  # pure honorific before the name: no role text
                key = " ".join(_strip_possessive(t)[0] for t in tokens)
                entry = found.get(key)
                if entry is not None and span in entry[2]:
                    if not entry[1] and role:
                        entry[1] = role
                    continue
                if occ.find(1, span[0], span[1]) != -1:
                    continue  # overlaps another candidate's span
                occ[span[0]:span[1]] = b"\x01" * (span[1] - span[0])
                people[span[0]:span[1]] = b"\x01" * (span[1] - span[0])
                if entry is None:
                    found[key] = [key, role, [span]]
                    order.append(key)
                else:
                    if not entry[1] and role:
                        entry[1] = role
                    entry[2].append(span)
        if not found:
            return []
        # later mentions: full name, then trailing short forms
        short_owner: dict[str, list[str]] = {}
        for key in order:
            toks = key.split(" ")
            for k in range(1, len(toks)):
                sf = " ".join(toks[k:])
                if _valid_short(sf, False):
                    short_owner.setdefault(sf, []).append(key)
        for key in order:
            entry = found[key]
            first = min(s for s, _ in entry[2])
            for s, e in _find_all(text, ac_text, key, 0):
                if occ.find(1, s, e) == -1:
                    occ[s:e] = b"\x01" * (e - s)
                    entry[2].append((s, e))
            first = min(first, min(s for s, _ in entry[2]))
            toks = key.split(" ")
            for k in range(1, len(toks)):
                sf = " ".join(toks[k:])
                if short_owner.get(sf) != [key]:
                    continue
                for s, e in _find_all(text, ac_text, sf, first):
                    if occ.find(1, s, e) != -1 or _glued(text, s, e, s in titled):
                        continue
                    occ[s:e] = b"\x01" * (e - s)
                    entry[2].append((s, e))
        out = []
        for key in order:
            entry = found[key]
            entry[2].sort()
            out.append(entry)
        return out

    def _lead_subject(self, text: str, per: dict, cands: list):
        """The one person a short piece is about though it names them once:
        the first person named, in the lead, holding most of the references to
        people (their name or surname, or "he"/"she"/"the minister" …).
        Returns the record index or the candidate's name, or None."""
        kinds = self._kinds
        people = [(ms[0][0], len(ms), rec) for rec, ms in per.items() if kinds[rec] == "person"]
        people += [(spans[0][0], len(spans), name) for name, _role, spans in cands]
        if not people:
            return None
        first, count, who = min(people, key=lambda p: p[0])
        if first >= LEAD_CHARS or count >= 3:
            return None  # not in the lead, or the ordinary rule already says so
        others = sum(c for _, c, w in people if w != who)
        refs = count + len(_ANAPHORA.findall(text, first))
        # most references, and at least one beyond the name itself
        if refs > count and refs >= 2 and refs > 2 * others:
            return who
        return None

    # ----------------------------------------------------------------------
    def _aggregate(self, text, resolved, h_recs, cands, headline="", h_spans=None) -> list[EntitySuggestion]:
        per: dict[int, list] = {}
        for m in resolved:
            per.setdefault(m[2], []).append(m)
        h_spans = h_spans or {}
        subject = self._lead_subject(text, per, cands)
        suggestions: list[tuple[tuple, EntitySuggestion]] = []
        for rec in set(per) | set(h_recs):
            ms = per.get(rec, [])
            ms.sort()
            in_head = rec in h_recs
            quality = 0.0
            n_amb = 0
            titled = False
            alts: list[str] = []
            n_shared = 0
            for m in ms:
                if m[7]:  # a shared surname: evidence for the editor, not weight
                    n_shared += 1
                    for k in m[7]:
                        if k != self._keys[rec] and k not in alts:
                            alts.append(k)
                    continue
                q = _FORM_QUALITY[m[3]]
                if q > quality:
                    quality = q
                if m[5]:
                    n_amb += 1
                    for k in m[5]:
                        if k not in alts:
                            alts.append(k)
                if m[6]:
                    titled = True
            if self._rates[rec]:
                forms = [m[4] for m in ms]
                if in_head:
                    forms.append(h_recs[rec][1])
                rate = sum(self._rate(rec, form) for form in forms) / len(forms)
            else:
                rate = 0.0
            if in_head:
                ftype, _form, h_alts = h_recs[rec]
                if not ms:  # headline-only: the headline form sets the quality
                    quality = _FORM_QUALITY[ftype]
                for k in h_alts:
                    if k not in alts:
                        alts.append(k)
            count = len(ms) - n_shared
            amb_frac = n_amb / count if count else (1.0 if in_head and h_recs[rec][2] else 0.0)
            if not count and not in_head:
                quality = _FORM_QUALITY[_SHORT]
            first = ms[0][0] if ms else None
            conf = _confidence(quality, count, first, in_head, titled, amb_frac, rate)
            kind = self._kinds[rec]
            name = self._names[rec]
            sug = EntitySuggestion(
                kind=kind,
                name=name,
                record=self._keys[rec],
                relation="about" if rec == subject else _relation(count, first, in_head),
                confidence=conf,
                mentions=[Mention(text[m[0]:m[1]], m[0], m[1], m[7]) for m in ms],
                alternatives=alts,
                headline_mentions=[Mention(headline[a:b], a, b) for a, b in h_spans.get(rec, ())],
            )
            suggestions.append((_sort_key(kind, first, name), sug))
        for name, role, spans in cands:
            first = spans[0][0]
            conf = _confidence(_FORM_QUALITY[_CANDIDATE], len(spans), first, False, True, 0.0, 0.0)
            conf = min(CANDIDATE_CAP, conf)
            sug = EntitySuggestion(
                kind="person",
                name=name,
                record=None,
                relation="about" if name == subject else _relation(len(spans), first, False),
                confidence=round(conf, 4),
                mentions=[Mention(text[s:e], s, e) for s, e in spans],
                role=role,
            )
            suggestions.append((_sort_key("person", first, name), sug))
        suggestions.sort(key=lambda x: x[0])
        return [s for _, s in suggestions]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


_SPELLINGS = (("defence", "defense"), ("centre", "center"), ("organisation", "organization"),
              ("programme", "program"), ("labour", "labor"), ("harbour", "harbor"))
_SPELLING_RE = re.compile(
    r"(?i)\b(" + "|".join(w for pair in _SPELLINGS for w in pair) + r")(?=\b|s\b)")
_SPELLING_SWAP = {a: b for pair in _SPELLINGS for a, b in (pair, pair[::-1])}


def _spelling_variants(form: str) -> set[str]:
    """British and US spellings of a name ("Self-Defence" / "Self-Defense",
    "Centre" / "Center"): every combination, the form itself excluded."""
    if not _SPELLING_RE.search(form):
        return set()

    def swap(m):
        w = m.group(1)
        other = _SPELLING_SWAP[w.lower()]
        return other.upper() if w.isupper() else other.capitalize() if w[0].isupper() else other

    variants = {form}
    for m in list(_SPELLING_RE.finditer(form)):
        word = m.group(1)
        variants |= {re.sub(r"\b" + re.escape(word) + r"\b", lambda x: swap(_SPELLING_RE.match(x.group())), v)
                     for v in variants}
    variants.discard(form)
    return variants


def _possessive_variants(form: str, kind: str) -> set[str]:
    """"Japan Self-Defense Forces" is also written "Japan's Self-Defense
    Forces": organisations named after their country."""
    first, _, rest = form.partition(" ")
    if kind != "organisation" or not rest or first.lower() not in _GEO_WORDS or not first[0].isupper():
        return set()
    return {f"{first}'s {v}" for v in {rest} | _spelling_variants(rest)}


# Countries and demonyms that name whose acronym is meant ("US CDC").
_GEO_WORDS = frozenset(
    """
    us u.s usa u.s.a america american americans uk britain british eu european
    china chinese taiwan taiwanese japan japanese korea korean thailand thai vietnam
    vietnamese laos lao laotian myanmar burmese india indian australia australian
    france french germany german russia russian canada canadian singapore singaporean
    malaysia malaysian indonesia indonesian philippines philippine filipino africa
    african nigeria nigerian brazil brazilian cambodia cambodian khmer
    """.split()
)
_ANAPHORA = re.compile(
    r"\b(?:[Hh]e|[Ss]he|[Hh]is|[Hh]im|[Hh]er|[Tt]he (?:(?:deputy |foreign |prime |senior |former )?minister"
    r"|premier|president|ambassador|envoy|governor|chairman|chairwoman|spokesman|spokeswoman"
    r"|spokesperson|official|general|commander|leader|senator|mayor|director|diplomat"
    r"|tycoon|researcher|professor|analyst|king|queen|emperor|prince|princess))\b"
)


def _is_acronym(form: str) -> bool:
    return 2 <= len(form) <= 5 and form.isalpha() and form.isupper()


def _word_before(text: str, s: int):
    """(word without a possessive, start, end) of the word right before
    position ``s`` (one space apart), or None."""
    if s < 2 or text[s - 1] not in " \u00a0":
        return None
    j = s - 1
    k = j
    while k > 0 and not text[k - 1].isspace():
        k -= 1
    word = text[k:j]
    base, _poss = _strip_possessive(word)
    if not base or not base[0].isalpha():
        return None
    return base, k, k + len(base)


def _shares_stem(word: str, name: str) -> bool:
    stem = word.lower().strip(".")[:5]
    return len(stem) >= 4 and any(t.lower().startswith(stem) for t in re.findall(r"\w+", name))


def _clamp(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def _sort_key(kind: str, first: int | None, name: str) -> tuple:
    return (KIND_ORDER.get(kind, 9), kind, first if first is not None else 1 << 62, name)


def _relation(count: int, first: int | None, in_head: bool) -> str:
    if in_head or count >= 3 or (count >= 2 and first is not None and first < LEAD_CHARS):
        return "about"
    return "mentions"


def _confidence(quality, count, first, in_head, titled, amb_frac, rate) -> float:
    conf = 0.30 + 0.35 * quality + min(0.15, 0.05 * max(0, count - 1))
    if in_head or (first is not None and first < LEAD_CHARS):
        conf += 0.10
    if in_head:
        conf += 0.05
    if titled:
        conf += 0.03
    conf *= 1.0 - AMBIGUITY_PENALTY * amb_frac
    conf *= 1.0 - _clamp(rate)
    return round(_clamp(conf), 4)


def _mask_ok(text: str, s: int, mask: tuple) -> bool:
    for off, mode, tok, alt in mask:
        i = s + off
        if mode == _CAP:
            if not text[i].isupper():
                return False
        else:
            got = text[i:i + len(tok)]
            if got != tok and got != alt:
                return False
    return True


def _person_tokens(name: str) -> list[str]:
    """Whitespace tokens of a person's name, leading honorifics removed."""
    toks = name.split()
    i = 0
    while i < len(toks) - 1:
        low = toks[i].lower().rstrip(".")
        # multi-word honorifics are covered word by word ("Lok Chumteav")
        if low in _HONORIFIC_WORDS or toks[i] in ("H.E.", "HE"):
            i += 1
            continue
        break
    return toks[i:]


def _valid_short(form: str, leading: bool) -> bool:
    toks = form.split()
    if not toks:
        return False
    if not toks[0][:1].isupper() or not toks[-1][:1].isupper():
        return False
    if len(toks) == 1:
        t = toks[0]
        low = t.lower()
        if len(t) < 2 or low in _STOPWORDS or low in _COMMON_SHORT or low in _TITLE_WORDS:
            return False
        if low in _NOT_NAME_WORDS:
            return False
    return True


def _titled_starts(text: str, cues: list) -> set[int]:
    """Text positions directly preceded by a title/honorific ("Mr. ", "PM ")."""
    out: set[int] = set()
    n = len(text)
    for s, e, _flags in cues:
        p = e
        while p < n and p - e < 3 and text[p] in " .\t\u00a0":
            p += 1
        if p > e:
            out.add(p)
    return out


def _inside_facility(text: str, s: int, e: int) -> bool:
    n = len(text)
    if e + 1 < n and text[e] in " -\u2010\u2011\u2013\t":
        if _FACILITY_AFTER.match(text, e):
            return True
    if s >= 3 and text[s - 1] == " " and (text[s - 3:s] == "of " or text[s - 4:s] in ("for ", "the ")):
        if _FACILITY_BEFORE.search(text, max(0, s - 60), s):
            return True
    return False


def _glued(text: str, s: int, e: int, titled: bool) -> bool:
    """Is the span part of a longer capitalised name (next word capitalised,
    or previous word capitalised and not a title/common word/possessive)?"""
    n = len(text)
    if e + 1 < n and text[e] == " " and text[e + 1].isupper():
        m = _WORD_AT.match(text, e + 1)
        if m:
            w = m.group()
            low = w.lower()
            if low not in _STOPWORDS:
                return True
    if not titled and s >= 2 and text[s - 1] == " ":
        j = s - 1
        k = j
        while k > 0 and not text[k - 1].isspace():
            k -= 1
        w = text[k:j]
        if w and w[0].isupper() and w[-1].isalnum():
            base, poss = _strip_possessive(w)
            low = base.lower()
            if not poss and low not in _STOPWORDS and low.rstrip(".") not in _TITLE_WORDS:
                return True
    return False


def _find_all(text: str, ac_text: str, form: str, start: int):
    """Whole-word, initial-capital occurrences of ``form`` at or after
    ``start`` (used for candidates, which are not in the automaton)."""
    key, _ = _form_key(form)
    if not key:
        return
    kl = len(key)
    i = ac_text.find(key, start)
    while i != -1:
        s, e = i, i + kl - 2
        if text[s].isupper():
            yield s, e
        i = ac_text.find(key, i + 1)


def _tokens(text: str, start: int, end: int):
    return [(m.start(), m.end(), m.group()) for m in _TOK.finditer(text, start, end)]


def _role_start(text: str, cs: int, people: bytearray) -> int:
    """Extend a role phrase leftwards from the cue start over capitalised
    words, role modifiers, connectors between capitalised words and
    parenthesised acronyms ("Cambodian Centre for Regional Studies (CCRS)")."""
    toks = _tokens(text, max(0, cs - 120), cs)
    start = cs
    i = len(toks) - 1
    taken = 0
    while i >= 0 and taken < 12:
        ts, te, t = toks[i]
        gap = text[te:start]
        if "\n" in gap or len(gap) > 2 or people.find(1, ts, te) != -1:
            break  # line break, punctuation run, or another person's name
        if t == ")" and i >= 2 and toks[i - 2][2] == "(" and toks[i - 1][2].isupper():
            start = toks[i - 2][0]
            i -= 3
            taken += 1
            continue
        if not (t[0].isalnum()):
            break
        low = t.lower()
        if low in _ROLE_MODIFIERS or low in _ROLE_WORDS:
            start = ts
        elif t[0].isupper():
            if low in _STOPWORDS:  # "The", "In", "When" … at sentence start
                break
            start = ts
        elif (
            low in _CONNECTORS
            and i >= 1
            and toks[i - 1][2][0].isupper()
            and people.find(1, toks[i - 1][0], toks[i - 1][1]) == -1
        ):
            start = ts
        else:
            break
        i -= 1
        taken += 1
    return start


def _cue_before_name(text: str, cs: int, ce: int, known: bytearray, people: bytearray,
                     immediate: bool = False):
    """"<role> [to|of … <known entity>] First Last": returns (tokens, span, role).

    The name is the first run of name-like tokens after the cue (skipping
    connectors, known entities and organisation words); it must not be glued
    to a following capitalised word ("of Tuol Sleng Museum")."""
    if not _CUE_NEXT.match(text, ce):
        return None  # fast path: no capitalised word right after the cue
    n = len(text)
    run = []  # (s, e, tok, is_name)
    prev_end = ce
    for mt in _TOK.finditer(text, ce, min(n, ce + 160)):
        ts, te, t = mt.start(), mt.end(), mt.group()
        gap = text[prev_end:ts]
        if "\n" in gap or len(gap) > 2 or gap == "":
            break  # line break, punctuation run, or token glued to the previous one
        if not t[0].isalnum():
            break
        if t[0].isupper():
            if people.find(1, ts, te) != -1:
                break  # a role phrase never runs across a person's name
            base, poss = _strip_possessive(t)
            covered = known.find(1, ts, te) != -1
            run.append((ts, ts + len(base), base, (not covered) and _is_name_token(base)))
            if poss:
                break
        elif t in _CONNECTORS:
            run.append((ts, te, t, False))
        else:
            break
        prev_end = te
        if len(run) > 12:
            break
    k = 0
    while k < len(run) and not run[k][3]:
        k += 1
    if immediate and k:
        return None
    m = k
    while m < len(run) and run[m][3]:
        m += 1
    if k > 0 and run[0][2] in ("of", "for") and m - k >= 3:
        # "Minister of Operations Sok Dara": the first word names the portfolio
        k += 1
    if not 2 <= m - k <= 4:
        return None
    if m < len(run) and run[m][2][:1].isupper():
        return None  # part of a longer capitalised name
    name = run[k:m]
    s, e = name[0][0], name[-1][1]
    rs = _role_start(text, cs, people)
    role = text[rs:s].strip(" ,\t")
    return [t for _, _, t, _ in name], (s, e), role


def _appositive(text: str, cs: int, ce: int, known: bytearray, flags: int):
    """"First Last, [a|the] [modifiers] <role> …": returns (tokens, span, role)."""
    if not flags & _CUE_ROLE:
        return None
    comma = text.rfind(",", max(0, cs - 60), cs)
    if comma < 1:
        return None
    between = _tokens(text, comma + 1, cs)
    if len(between) > 5 or any(not t[0].isalnum() for _, _, t in between) or "\n" in text[comma:cs]:
        return None
    comma_end = comma + 1
    age = _AGE_BEFORE.search(text, max(0, comma - 8), comma + 1)
    if age:  # "Sok Dara, 52, a rice farmer": the age sits between name and role
        comma = age.start()
    toks = _tokens(text, max(0, comma - 80), comma + 1)
    i = len(toks) - 1  # the comma
    # the name run before the comma
    j = i - 1
    name = []
    next_start = toks[i][0]
    while j >= 0:
        ts, te, t = toks[j]
        gap = text[te:next_start]
        if (gap not in (" ", "") ) or (gap == "" and next_start != toks[i][0]):
            break
        if not (t[0].isalnum() and known.find(1, ts, te) == -1 and _is_name_token(t)):
            break
        name.append((ts, te, t))
        next_start = ts
        j -= 1
    if not 2 <= len(name) <= 4:
        return None
    if j >= 0:
        ts, te, t = toks[j]
        if text[te:next_start] == " " and t[0].isupper() and t[0].isalpha() and t.lower() not in _STOPWORDS \
                and known.find(1, ts, te) == -1 and t.lower() not in _TITLE_WORDS:
            return None  # longer capitalised run: not a clean personal name
    name.reverse()
    rstart = comma_end
    while rstart < cs and text[rstart].isspace():
        rstart += 1
    m = _ROLE_END.search(text, ce, min(len(text), ce + 200))
    rend = m.start() if m else min(len(text), ce + 200)
    role = text[rstart:rend].strip()
    return [t for _, _, t in name], (name[0][0], name[-1][1]), role
