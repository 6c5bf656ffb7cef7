"""
Topic suggestions: pure, from the topic tree's keywords and what editors did.

Evidence for a topic is every occurrence of one of its keywords (or its own
name) on word boundaries, case-insensitively, with a plural "s" allowed.
Each occurrence weighs more in the headline (x2) and for longer phrases
(more specific); editors' rejections of a keyword lower its weight (x(1-rate)).
A topic's keyword score saturates (1 - e^(-score/3)), so ten mentions of
"trade" are not ten times one; a repeated cue counts half, a cue in the lead
more. Editors' past decisions give a prior: how often articles about the
same people, organisations and places were accepted with the topic; where
such a history exists, text and prior are averaged (weights 0.65 and 0.35)
into a confidence in [0, 1]; the best few above a floor are offered.
"""

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import ahocorasick

HEADLINE_WEIGHT = 2.0
LEAD_BONUS = 0.5
REPEAT_WEIGHT = 0.5
SATURATION = 3.0
PRIOR_WEIGHT = 0.35
DEFAULT_FLOOR = 0.5
DEFAULT_LIMIT = 5
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class TopicRecord:
    key: str
    name: str
    keywords: tuple[str, ...] = ()
    parent: str | None = None
    # keyword (lowercase) -> share of suggestions by it that editors rejected
    keyword_rejection: Mapping[str, float] = field(default_factory=dict)
    # entity key ("person:hun-sen") -> share of accepted articles with that entity having this topic
    prior: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TopicMention:
    text: str
    start: int
    end: int


@dataclass
class TopicSuggestion:
    topic: str
    name: str
    confidence: float
    mentions: list[TopicMention]


def _fold(text: str) -> str:
    # Case-folding that keeps offsets: str.lower() can change lengths ("İ").
    folded = text.lower()
    return folded if len(folded) == len(text) else "".join(c.lower()[:1] or c for c in text)


def _bounded(text: str, start: int, end: int) -> bool:
    before = start == 0 or not _WORD.match(text[start - 1])
    after = end >= len(text) or not _WORD.match(text[end])
    return before and after


class TopicIndex:
    """Built once from the topic list; `suggest` is then a single pass over the text."""

    def __init__(self, topics: Iterable[TopicRecord]):
        self.topics = {t.key: t for t in topics}
        self._automaton = ahocorasick.Automaton()
        forms: dict[str, list[tuple[str, float]]] = {}
        for topic in self.topics.values():
            phrases = {_fold(" ".join(p.split())) for p in (topic.name, *topic.keywords)}
            for key in phrases:
                if len(key) < 3:
                    continue
                phrase = key
                specificity = 1.0 + 0.5 * (len(phrase.split()) - 1)
                penalty = 1.0 - min(1.0, max(0.0, topic.keyword_rejection.get(key, 0.0)))
                if penalty > 0:
                    forms.setdefault(key, []).append((topic.key, specificity * penalty))
        for key, owners in forms.items():
            self._automaton.add_word(key, (key, tuple(owners)))
        if forms:
            self._automaton.make_automaton()
        self._empty = not forms
        self._prior_topics: dict[str, list[str]] = {}  # entity -> topics with a prior for it
        for topic in self.topics.values():
            for entity in topic.prior:
                self._prior_topics.setdefault(entity, []).append(topic.key)

    def _occurrences(self, text: str):
        """(start, end, owners) for keyword hits on word boundaries, a plural
        "s"/"es" allowed, longest match first at each position."""
        if self._empty or not text:
            return []
        folded = _fold(text)
        hits = []
        for end_index, (key, owners) in self._automaton.iter(folded):
            start, end = end_index - len(key) + 1, end_index + 1
            for suffix in ("", "s", "es"):
                if folded.startswith(suffix, end) and _bounded(folded, start, end + len(suffix)):
                    hits.append((start, end + len(suffix), owners))
                    break
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        chosen, last_end = [], -1
        for start, end, owners in hits:
            if start >= last_end:
                chosen.append((start, end, owners))
                last_end = end
        return chosen

    def suggest(self, text: str, *, headline: str = "", entities: Sequence[str] = (),
                limit: int = DEFAULT_LIMIT, floor: float = DEFAULT_FLOOR) -> list[TopicSuggestion]:
        """Topics for an article. `entities` are keys such as "person:hun-sen"
        of the article's people, organisations and places (for the prior)."""
        scores: dict[str, float] = {}
        mentions: dict[str, list[TopicMention]] = {}
        seen: dict[str, set] = {}
        for source, weight in ((text, 1.0), (headline, HEADLINE_WEIGHT)):
            length = max(len(source), 1)
            for start, end, owners in self._occurrences(source):
                form = _fold(source[start:end])
                # News puts what matters first: the lead weighs up to LEAD_BONUS more.
                position = weight * (1.0 + LEAD_BONUS * (1.0 - start / length))
                for topic_key, strength in owners:
                    # A repeated cue adds less than a new one: the evidence is in their variety.
                    repeat = form in seen.setdefault(topic_key, set())
                    seen[topic_key].add(form)
                    gain = position * strength * (REPEAT_WEIGHT if repeat else 1.0)
                    scores[topic_key] = scores.get(topic_key, 0.0) + gain
                    if source is text:
                        mentions.setdefault(topic_key, []).append(
                            TopicMention(text[start:end], start, end))
        with_prior = {key for e in entities for key in self._prior_topics.get(e, ())}
        for key in with_prior:
            scores.setdefault(key, 0.0)  # a topic may come from editors' past decisions alone
        has_history = bool(with_prior)
        suggestions = []
        for topic_key, score in scores.items():
            topic = self.topics[topic_key]
            keyword_part = 1.0 - math.exp(-score / SATURATION)
            prior = (max((topic.prior.get(e, 0.0) for e in entities), default=0.0)
                     if topic_key in with_prior else 0.0)
            # Text and history are weighed together when there is a history
            # for the article's entities; otherwise the text decides alone.
            confidence = ((1 - PRIOR_WEIGHT) * keyword_part + PRIOR_WEIGHT * prior
                          if has_history else keyword_part)
            if confidence > 0 and confidence >= floor:
                suggestions.append(TopicSuggestion(topic_key, topic.name, round(confidence, 3),
                                                   mentions.get(topic_key, [])))
        suggestions.sort(key=lambda s: (-s.confidence, s.name))
        return self._most_specific(suggestions)[:limit]

    def _most_specific(self, suggestions):
        """Editors tag the most specific topic that applies: a parent is
        dropped when one of its sub-topics is offered (it is implied)."""
        offered = {s.topic for s in suggestions}
        implied = set()
        for key in offered:
            parent = self.topics[key].parent
            while parent is not None and parent in self.topics:
                implied.add(parent)
                parent = self.topics[parent].parent
        return [s for s in suggestions if s.topic not in implied]
