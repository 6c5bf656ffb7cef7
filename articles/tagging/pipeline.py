"""
The tagging pipeline: one pure entry point from text to suggestions.

    tagger = Tagger(records, topics)          # once per process (authority lists)
    tagger.suggest(text, published=date(2024, 7, 2), headline="...", standfirst="...")

returns the contract of `manage.py suggest_tags` (see the README): people,
organisations and places with their mentions, dates normalized against the
publication date, topics with a confidence. Spans are offsets into `text` (the
body); a mention found in the standfirst or the headline says so with
``"field": "standfirst"`` / ``"headline"`` and its span is into that field, so
a tag seen only in the headline still has its evidence. An ambiguous mention
(a bare surname shared by two people named in full) lists the record slugs it
may stand for in ``"candidates"``.
"""

import datetime
from collections.abc import Iterable

from .dates import find_dates
from .entities import AuthorityIndex, Record
from .topics import TopicIndex, TopicRecord

TAGGER_VERSION = "newsroom-tagger/1.1"
KINDS = {"person": "people", "organisation": "organisations", "place": "places"}
_SEPARATOR = "\n\n"  # a paragraph break: no name or date is matched across it


class _Fields:
    """Maps offsets of the standfirst + body text the tagger reads back to
    the field they are in."""

    def __init__(self, standfirst: str):
        self.cut = len(standfirst)
        self.shift = self.cut + len(_SEPARATOR) if standfirst else 0

    def place(self, start: int, end: int):
        """(field, start, end), or None for a span across the separator."""
        if self.shift and start < self.cut:
            return ("standfirst", start, end) if end <= self.cut else None
        if start < self.shift:
            return None
        return "body", start - self.shift, end - self.shift


def _mention(field, start, end, text, candidates=()):
    item = {"text": text, "span": [start, end]}
    if field != "body":
        item["field"] = field
    if candidates:
        item["candidates"] = list(candidates)
    return item


class Tagger:
    def __init__(self, records: Iterable[Record], topics: Iterable[TopicRecord]):
        self.entities = AuthorityIndex(records)
        self.topics = TopicIndex(topics)
        self.version = TAGGER_VERSION

    def suggest(self, text: str, *, published: datetime.date, headline: str = "",
                standfirst: str = "") -> dict:
        if not standfirst.strip():
            standfirst = ""
        fields = _Fields(standfirst)
        read = standfirst + _SEPARATOR + text if standfirst else text

        def mentions(found):
            out = []
            for m in found:
                where = fields.place(m.start, m.end)
                if where:
                    out.append(_mention(*where, m.text, getattr(m, "candidates", ())))
            return out

        result = {"people": [], "organisations": [], "places": [], "dates": [], "topics": []}
        entity_keys = []
        for found in self.entities.find(read, headline=headline):
            item = {
                "name": found.name,
                "record": found.record,
                "relation": found.relation,
                "confidence": round(found.confidence, 3),
                "mentions": mentions(found.mentions) + [
                    _mention("headline", m.start, m.end, m.text) for m in found.headline_mentions],
            }
            if found.record is None:
                item["role"] = found.role
            if found.alternatives:
                item["alternatives"] = list(found.alternatives)
            result[KINDS[found.kind]].append(item)
            if found.record:
                entity_keys.append(f"{found.kind}:{found.record}")
        for match in find_dates(read, published):
            where = fields.place(match.start, match.end)
            if where is None:
                continue
            result["dates"].append({
                **_mention(*where, match.text),
                "precision": match.precision,
                "value": match.value,
                "date_from": match.date_from.isoformat(),
                "date_to": match.date_to.isoformat(),
                "mod": match.mod,
            })
        for topic in self.topics.suggest(read, headline=headline, entities=entity_keys):
            result["topics"].append({
                "topic": topic.topic,
                "confidence": topic.confidence,
                "mentions": mentions(topic.mentions),
            })
        return result
