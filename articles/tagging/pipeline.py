"""
The tagging pipeline: one pure entry point from text to suggestions.

    tagger = Tagger(records, topics)          # once per process (authority lists)
    tagger.suggest(text, published=date(2024, 7, 2), headline="...")

returns the contract of `manage.py suggest_tags` (see the README): people,
organisations and places with their mentions, dates normalized against the
publication date, topics with a confidence. Spans are offsets into `text`.
"""

import datetime
from collections.abc import Iterable

from .dates import find_dates
from .entities import AuthorityIndex, Record
from .topics import TopicIndex, TopicRecord

TAGGER_VERSION = "newsroom-tagger/1.0"
KINDS = {"person": "people", "organisation": "organisations", "place": "places"}


class Tagger:
    def __init__(self, records: Iterable[Record], topics: Iterable[TopicRecord]):
        self.entities = AuthorityIndex(records)
        self.topics = TopicIndex(topics)
        self.version = TAGGER_VERSION

    def suggest(self, text: str, *, published: datetime.date, headline: str = "") -> dict:
        result = {"people": [], "organisations": [], "places": [], "dates": [], "topics": []}
        entity_keys = []
        for found in self.entities.find(text, headline=headline):
            item = {
                "name": found.name,
                "record": found.record,
                "relation": found.relation,
                "confidence": round(found.confidence, 3),
                "mentions": [{"text": m.text, "span": [m.start, m.end]} for m in found.mentions],
            }
            if found.record is None:
                item["role"] = found.role
            if found.alternatives:
                item["alternatives"] = list(found.alternatives)
            result[KINDS[found.kind]].append(item)
            if found.record:
                entity_keys.append(f"{found.kind}:{found.record}")
        for match in find_dates(text, published):
            result["dates"].append({
                "text": match.text,
                "span": [match.start, match.end],
                "precision": match.precision,
                "value": match.value,
                "date_from": match.date_from.isoformat(),
                "date_to": match.date_to.isoformat(),
                "mod": match.mod,
            })
        for topic in self.topics.suggest(text, headline=headline, entities=entity_keys):
            result["topics"].append({
                "topic": topic.topic,
                "confidence": topic.confidence,
                "mentions": [{"text": m.text, "span": [m.start, m.end]} for m in topic.mentions],
            })
        return result
