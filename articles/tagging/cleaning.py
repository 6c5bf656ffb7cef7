"""Pure text cleaning for raw, scraped news article text files.

Text in, result out: standard library only, no Django, no I/O.

``clean_text(raw)`` returns a :class:`CleanedText` whose ``text`` is

* free of a UTF-8 BOM, zero-width characters (U+200B/C/D, U+2060, U+FEFF,
  U+180E) and other control characters;
* newline-normalised: "\\r\\n", "\\r" and the Unicode line/paragraph
  separators (U+2028, U+2029, U+0085, VT, FF, FS, GS, RS) become "\\n";
* space-normalised: every other whitespace character (tab, NBSP, thin
  space, ideographic space, ...) becomes a plain space, runs of spaces
  inside a line collapse to one, and lines are stripped;
* NFC-normalised, with the original characters (curly quotes, en dashes,
  Khmer script, ...) kept;
* split into paragraphs separated by exactly one blank line ("\\n\\n");
  single line breaks inside a paragraph are kept as they are;
* without scraping debris (see below). The removed debris lines are
  returned, in order, in ``removed`` so an editor can review them.

Debris is only ever recognised as a *whole line* (after space
normalisation), never as part of a sentence, so a paragraph that merely
mentions "leave a reply" is kept. There are two kinds of debris lines:

* *strong* lines, removed wherever they appear: "Leave a Reply",
  "Fill in your details below or click an icon to log in:",
  "You are commenting using your ... account. Log Out / Change )",
  "Connecting to %s", "scroll to top", "Share this:", "Like this:",
  "Loading...", "Click to share on Twitter (Opens in new window)", ...;
* *weak* lines, removed only when they sit in a run of debris lines
  (blank lines allowed in between) that contains at least one strong line:
  "Related", "Twitter", "Facebook", "Google photo", "Twitter picture",
  "Logo", "Cancel reply", ...  On their own they are kept.

``normalize_for_hash`` and ``content_hash`` give a fingerprint that is
stable across copies of an article differing only in whitespace, quote or
dash style, punctuation, letter case or debris.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["CleanedText", "clean_text", "normalize_for_hash", "content_hash"]


@dataclass(frozen=True)
class CleanedText:
    text: str
    removed: tuple[str, ...]


# --------------------------------------------------------------------------
# Character level normalisation
# --------------------------------------------------------------------------

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e"
# Characters str.splitlines() treats as line boundaries (besides \n / \r).
_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _build_translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Every whitespace code point lives below U+3100 (U+3000 is the last).
    for cp in range(0x3100):
        ch = chr(cp)
        if ch == "\n":
            continue
        if ch in _LINE_BREAKS:
            table[cp] = "\n"
        elif ch.isspace():
            table[cp] = " "
        elif unicodedata.category(ch) == "Cc":
            table[cp] = None
    for ch in _ZERO_WIDTH:
        table[ord(ch)] = None
    return table


_TRANSLATION = _build_translation()

_SPACE_RUN_RE = re.compile(r" {2,}")
_BLANK_RUN_RE = re.compile(r"\n{3,}")

# --------------------------------------------------------------------------
# Debris (whole lines only)
# --------------------------------------------------------------------------

_STRONG_DEBRIS_RE = re.compile(
    r"""^(?:
        leave\ a\ (?:reply|comment)(?:\ cancel\ reply)?
      | leave\ a\ reply\ to\ .{1,60}\ cancel\ reply
      | cancel\ reply
      | fill\ in\ your\ details\ below\ or\ click\ an\ icon\ to\ log\ in:?(?:\ .{0,40})?
      | you\ are\ commenting\ using\ your\ (?:[\w.]+\ )?account\.?
            (?:\ log\ out\ ?/\ ?change\ ?\)?)?
      | log\ out\ ?/\ ?change\ ?\)?
      | connecting\ to\ %s
      | notify\ me\ of\ (?:new\ )?(?:follow-up\ )?(?:comments|posts)\ (?:via|by)\ e-?mail\.?
      | email\ \(required\)(?:\ \(address\ never\ made\ public\))?
      | name\ \(required\)
      | post\ was\ not\ sent\ -\ check\ your\ email\ addresses!?
      | email\ check\ failed,\ please\ try\ again
      | sorry,\ your\ blog\ cannot\ share\ posts\ by\ e-?mail\.?
      | (?:scroll|back)\ to\ top
      | share\ this(?:\ article|\ story|\ post)?:
      | like\ this:
      | (?:like\ )?loading(?:\.{3}|…)
      | be\ the\ first\ to\ like\ this\.?
      | %d\ bloggers\ like\ this:?
      | click\ to\ [^()]{1,80}\ \(opens\ in\ new\ window\)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

_WEAK_DEBRIS_RE = re.compile(
    r"""^(?:
        related(?:\ (?:posts|articles|stories|news))?:?
      | (?:google|twitter|facebook|wordpress(?:\.com)?)\ (?:photo|picture|logo)
      | logo
      | twitter | facebook | tweet | email | e-mail | print | pinterest | linkedin
      | reddit | tumblr | pocket | telegram | whatsapp | skype | more | share
      | like | reblog | subscribe | subscribed | comment | comments
      | post\ comment | website | name | log\ in | log\ out | change
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def _normalise_chars(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_TRANSLATION)
    return unicodedata.normalize("NFC", text)


def _normalise_line(line: str) -> str:
    return _SPACE_RUN_RE.sub(" ", line).strip(" ")


def clean_text(raw: str) -> CleanedText:
    """Clean one raw article text; see the module docstring for the rules."""
    lines = [_normalise_line(line) for line in _normalise_chars(raw).split("\n")]

    # Classify non-blank lines: 2 = strong debris, 1 = weak debris, 0 = text.
    kinds = []
    for line in lines:
        if not line:
            kinds.append(None)
        elif _STRONG_DEBRIS_RE.match(line):
            kinds.append(2)
        elif _WEAK_DEBRIS_RE.match(line):
            kinds.append(1)
        else:
            kinds.append(0)

    drop = [False] * len(lines)
    run: list[int] = []  # indexes of the current run of debris lines

    def close_run() -> None:
        if any(kinds[i] == 2 for i in run):
            for i in run:
                drop[i] = True
        run.clear()

    for i, kind in enumerate(kinds):
        if kind is None:
            continue  # blank lines neither start nor break a run
        if kind == 0:
            close_run()
        else:
            run.append(i)
    close_run()

    removed = tuple(line for line, gone in zip(lines, drop) if gone)
    kept = "\n".join(line for line, gone in zip(lines, drop) if not gone)
    text = _BLANK_RUN_RE.sub("\n\n", kept).strip("\n")
    return CleanedText(text=unicodedata.normalize("NFC", text), removed=removed)


# --------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------

_HASH_TRANSLATION = str.maketrans(
    {
        **{q: "'" for q in "‘’‚‛′‵`´"},
        **{q: '"' for q in "“”„‟″‶«»"},
        **{d: "-" for d in "‐‑‒–—―−⁃"},
    }
)
_NON_WORD_RE = re.compile(r"[^\w\s]|_")
_WHITESPACE_RE = re.compile(r"\s+")


def normalize_for_hash(text: str) -> str:
    """Canonical form for duplicate detection.

    Cleans the text (so debris does not count), applies NFKC, case-folds,
    unifies quotes and dashes, turns every punctuation/symbol character into
    a space and collapses all whitespace to single spaces.
    """
    cleaned = clean_text(text).text
    folded = unicodedata.normalize("NFKC", cleaned).casefold()
    folded = folded.translate(_HASH_TRANSLATION)
    folded = _NON_WORD_RE.sub(" ", folded)
    return _WHITESPACE_RE.sub(" ", folded).strip()


def content_hash(headline: str, body: str) -> str:
    """SHA-256 hex digest of ``normalize_for_hash(headline + "\\n" + body)``."""
    normalized = normalize_for_hash(headline + "\n" + body)
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
