"""
Import raw articles: plain text files like the seeds, or JSON / JSON Lines
with explicit fields. Each article is cleaned, its metadata extracted,
checked against duplicates, stored as a draft and tagged, in one
transaction: a bad file is refused with a one-line reason and leaves nothing.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Article, Byline, Person, Place, Source
from .tagger import get_tagger, publication_date, tag_article
from .tagging.cleaning import clean_text, content_hash
from .tagging.extraction import DEFAULT_SOURCES, FIELDS, extract

MAX_BYTES = 2 * 1024 * 1024
JSON_FIELDS = {"headline", "standfirst", "body", "source", "bylines", "published", "original_url",
               "dateline", "captions"}
_HTML = re.compile(r"<\s*(html|body|div|p|br|script|article|span|a\s)[^>]*>", re.IGNORECASE)


class ImportRefused(Exception):
    """The one-line reason an article was not imported."""


@dataclass
class Draft:
    """An article as read from a file, before it is stored."""

    headline: str
    body: str
    standfirst: str = ""
    captions: str = ""
    source: str = ""
    bylines: tuple = ()
    published: datetime.datetime | None = None
    original_url: str = ""
    dateline: str = ""
    notes: list = field(default_factory=list)


@dataclass
class Outcome:
    label: str
    status: str  # "imported", "would import", "duplicate", "refused"
    message: str
    article: Article | None = None


def read_text(data: bytes) -> str:
    if not data.strip():
        raise ImportRefused("empty file")
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"too large ({len(data) // 1024} KiB; the limit is {MAX_BYTES // 1024} KiB)")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Windows editors save "Unicode" as UTF-16 with a byte-order mark.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRefused("UTF-16 file that does not decode; save it as UTF-8") from None
        return _checked(text)
    if b"\x00" in data:
        raise ImportRefused("binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(f"not UTF-8 text (invalid byte at offset {error.start})") from None
    return _checked(text)


def _checked(text: str) -> str:
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > len(text) / 100:
        raise ImportRefused("binary data, not text")
    if len(_HTML.findall(text)) >= 3:
        raise ImportRefused("looks like HTML, not plain text: save the article as text first")
    return text


def _provisional_headline(body: str) -> str:
    first = re.split(r"(?<=[.!?])\s", body.strip(), maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


def draft_from_text(text: str, *, known_sources) -> Draft:
    extracted = extract(text, known_sources=known_sources)
    if not extracted.body.strip():
        raise ImportRefused("no article text left after cleaning")
    notes = []
    missing = [name for name in FIELDS if name in extracted.missing]
    if missing:
        notes.append("Not found in the text, for an editor to fill in: " + ", ".join(missing) + ".")
    headline = extracted.headline
    if not headline:
        headline = _provisional_headline(extracted.body)
        notes.append("Headline provisional: the first words of the text.")
    published = extracted.published_at  # the date line's own time and zone, when it gives them
    if published is None and extracted.published:
        published = timezone.make_aware(datetime.datetime.combine(extracted.published, datetime.time(9)))
    return Draft(headline=headline, body=extracted.body, standfirst=extracted.standfirst,
                 captions="\n".join(extracted.captions), source=extracted.source,
                 bylines=tuple(extracted.bylines), published=published, dateline=extracted.dateline,
                 notes=notes)


def drafts_from_json(text: str, *, jsonl: bool):
    try:
        records = ([json.loads(line) for line in text.splitlines() if line.strip()] if jsonl
                   else json.loads(text))
    except json.JSONDecodeError as error:
        raise ImportRefused(f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not records:
        raise ImportRefused("JSON must hold an article object or a list of them")
    drafts = []
    for n, record in enumerate(records, 1):
        where = f"article {n}: " if len(records) > 1 else ""
        if not isinstance(record, dict):
            raise ImportRefused(f"{where}not a JSON object")
        unknown = set(record) - JSON_FIELDS
        if unknown:
            raise ImportRefused(f"{where}unknown field(s) {', '.join(sorted(unknown))}")
        for name in ("headline", "body"):
            if not isinstance(record.get(name), str) or not record[name].strip():
                raise ImportRefused(f"{where}'{name}' is required and must be text")
        published = None
        if record.get("published") not in (None, ""):
            try:
                value = str(record["published"])
                parsed = (datetime.datetime.fromisoformat(value) if "T" in value or " " in value
                          else datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time(9)))
            except ValueError:
                raise ImportRefused(f"{where}'published' is not an ISO date: {record['published']!r}") from None
            published = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        bylines = record.get("bylines") or []
        if isinstance(bylines, str):
            bylines = [bylines]
        if not isinstance(bylines, list) or not all(isinstance(b, str) for b in bylines):
            raise ImportRefused(f"{where}'bylines' must be a list of names")
        missing = [name for name, value in (("source", str(record.get("source") or "").strip()),
                                            ("published", published)) if not value]
        notes = (["Not given in the JSON, for an editor to fill in: " + ", ".join(missing) + "."]
                 if missing else [])
        drafts.append(Draft(
            headline=record["headline"].strip(), body=clean_text(record["body"]).text,
            standfirst=str(record.get("standfirst") or "").strip(),
            captions=str(record.get("captions") or "").strip(),
            source=str(record.get("source") or "").strip(), bylines=tuple(bylines), published=published,
            original_url=str(record.get("original_url") or "").strip(),
            dateline=str(record.get("dateline") or "").strip(), notes=notes,
        ))
    return drafts


def body_key(body: str) -> str:
    """Same article whatever its headline: the normalized body."""
    return content_hash("", body)


def _duplicate(draft: Draft):
    digest = content_hash(draft.headline, draft.body)
    found = Article.objects.filter(content_hash=digest).only("headline", "slug").first()
    if found is None:
        # The same body under a new headline: candidates share the body's start,
        # then the normalized bodies are compared.
        start = draft.body.strip()[:40]
        wanted = body_key(draft.body)
        for article in Article.objects.filter(body__startswith=start).only("headline", "slug", "body")[:20]:
            if body_key(article.body) == wanted:
                return article
    return found


def store(draft: Draft, *, user=None, tagger=None, dry_run=False) -> Article:
    """Store one draft article and tag it; raises ImportRefused. Call inside a transaction."""
    duplicate = _duplicate(draft)
    if duplicate:
        raise ImportRefused(f"duplicate of “{duplicate.headline}” ({duplicate.slug})")
    notes = list(draft.notes)
    source = None
    if draft.source:
        source = Source.objects.filter(name__iexact=draft.source).first()
        if source is None:
            notes.append(f"Source “{draft.source}” is not a known source.")
    dateline = Place.named(draft.dateline) if draft.dateline else None
    if draft.dateline and dateline is None:
        notes.append(f"Dateline “{draft.dateline}” is not in the places list.")
    article = Article(
        headline=draft.headline[:300], standfirst=draft.standfirst, body=draft.body,
        captions=draft.captions, source=source, original_url=draft.original_url, dateline=dateline,
        published_at=draft.published, status=Article.Status.DRAFT, created_by=user,
        metadata_notes="\n".join(["Imported.", *notes]),
    )
    try:
        article.full_clean(exclude=["slug"])
    except ValidationError as error:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise ImportRefused(f"invalid article ({problems})") from None
    if dry_run:
        article.preview = (tagger or get_tagger()).suggest(
            draft.body, published=publication_date(article), headline=article.headline,
            standfirst=article.standfirst)
        return article
    article.save()
    for position, name in enumerate(draft.bylines):
        person = Person.named(name)
        if person:
            Byline.objects.get_or_create(article=article, person=person, role=Byline.Role.AUTHOR,
                                         defaults={"position": position})
        else:
            article.metadata_notes += f"\nByline “{name}” is not in the people list."
            Article.objects.filter(pk=article.pk).update(metadata_notes=article.metadata_notes)
    tag_article(article, tagger=tagger)
    return article


def _preview(suggestions: dict) -> str:
    """One line: what the tagger would suggest."""
    parts = []
    for kind in ("people", "organisations", "places"):
        names = [item["name"] + ("" if item["record"] else " (new)") for item in suggestions[kind]]
        if names:
            parts.append(f"{kind}: {', '.join(names)}")
    if suggestions["dates"]:
        parts.append(f"dates: {len(suggestions['dates'])}")
    if suggestions["topics"]:
        parts.append("topics: " + ", ".join(t["topic"] for t in suggestions["topics"]))
    return "; ".join(parts) or "nothing"


def import_file(path: Path, *, user=None, tagger=None, dry_run=False, seen=None) -> list[Outcome]:
    """Import every article of one file; each article is its own transaction.
    `seen` (normalized body -> label), shared across the files of one run,
    catches duplicates inside the batch, which a dry run cannot find stored."""
    seen = {} if seen is None else seen
    label = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refused before reading: a 50 MB file is not loaded into memory
            return [Outcome(label, "refused", f"too large ({size // 1024} KiB; the limit is "
                                              f"{MAX_BYTES // 1024} KiB)")]
        data = path.read_bytes()
    except OSError as error:
        return [Outcome(label, "refused", f"cannot read: {error.strerror or error}")]
    try:
        text = read_text(data)
        if path.suffix.lower() in {".json", ".jsonl"}:
            drafts = drafts_from_json(text, jsonl=path.suffix.lower() == ".jsonl")
        else:
            known = {*DEFAULT_SOURCES, *Source.objects.values_list("name", flat=True)}
            drafts = [draft_from_text(text, known_sources=sorted(known))]
    except ImportRefused as reason:
        return [Outcome(label, "refused", str(reason))]
    outcomes = []
    for n, draft in enumerate(drafts, 1):
        item = label if len(drafts) == 1 else f"{label}#{n}"
        key = body_key(draft.body)
        if key in seen:
            outcomes.append(Outcome(item, "duplicate", f"duplicate of {seen[key]} in this import"))
            continue
        try:
            with transaction.atomic():
                article = store(draft, user=user, tagger=tagger, dry_run=dry_run)
        except ImportRefused as reason:
            status = "duplicate" if str(reason).startswith("duplicate") else "refused"
            outcomes.append(Outcome(item, status, str(reason)))
            continue
        except Exception as error:  # noqa: BLE001 - one article's crash must not stop the batch
            # the atomic block has rolled this article back; the others go on
            reason = " ".join(str(error).split())[:200]
            outcomes.append(Outcome(item, "refused", f"failed: {type(error).__name__}: {reason}"))
            continue
        seen[key] = item
        verb = "would import" if dry_run else "imported"
        flagged = " (check: " + "; ".join(draft.notes) + ")" if draft.notes else ""
        message = f"“{article.headline}”{flagged}"
        if dry_run:
            message += " — would suggest " + _preview(article.preview)
        outcomes.append(Outcome(item, verb, message, article))
    return outcomes
