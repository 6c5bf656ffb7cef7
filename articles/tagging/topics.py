"""
Topic suggestions: pure, from the topic tree's keywords and what editors did.

Evidence for a topic is every occurrence of one of its keywords (or its own
name) on word boundaries, case-insensitively, with a plural "s" allowed; the
longest keyword wins at each position. Each occurrence weighs

* by where it is: the headline most, then the top of the text (standfirst and
  lead), falling linearly to the tail, where news puts what matters least;
* by specificity: a phrase of several words says more than one word;
* less when repeated: the k-th repeat of the same keyword weighs
  REPEAT_WEIGHT^k, so the evidence is in the variety of cues, not their count;
* less inside a proper name: a keyword editors wrote in lower case that
  appears capitalised among capitalised words ("Sihanoukville Autonomous
  Port", "Royal Cambodian Navy", "Centre for Regional Studies") names an
  organisation or a place, not the subject;
* less as one item of an enumeration ("politics, economy, defence, demining
  and tourism"): a list of cooperation areas is a passing mention of each;
* less when it shares a sentence (or a paragraph) with the topic's previous
  cue: cues crowded together are one remark, the evidence is in the spread;
* by editors' rejections of that keyword (x(1 - rate)).

A keyword of one topic that heads a longer keyword of another ("summit" in
"ASEAN-Japan Summit") is evidence for both, at NESTED_WEIGHT for the shorter;
a modifier ("training" in "training exercises") is not.

The summed evidence saturates (1 - e^(-evidence/scale)); the scale grows with
the square root of the article's length, since a long article mentions more
topics in passing than a short one. Editors' past decisions give a prior: how
often articles about the same people, organisations and places were accepted
with the topic. Where such a history exists for a topic it is a second,
independent cue (see `with_history`): a bounded lift, never lowering what the
text gives; the history of other topics does not touch it. A parent is
dropped when a sub-topic is offered (editors tag the most specific topic).
Offered: at most `limit` topics, each above `floor` and within `relative` of
the best one.
"""

import bisect
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import ahocorasick

HEADLINE_WEIGHT = 2.0
LEAD_WEIGHT = 1.5  # at the top of the text, falling linearly to...
TAIL_WEIGHT = 0.75  # ...this at its end
REPEAT_WEIGHT = 0.5
NAME_WEIGHT = 0.3
LIST_WEIGHT = 0.5
NESTED_WEIGHT = 0.5
SENTENCE_WEIGHT = 0.5
PARAGRAPH_WEIGHT = 0.75
SATURATION = 3.0
REFERENCE_WORDS = 400  # beyond this length the saturation scale grows with sqrt(length)
PRIOR_WEIGHT = 0.6
DEFAULT_FLOOR = 0.5
DEFAULT_RELATIVE = 0.5
DEFAULT_LIMIT = 5
_WORD = re.compile(r"\w", re.UNICODE)
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)
_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_BREAK = re.compile(r"[.!?][”\"’']?\s+|\n")
# Words allowed between the parts of a name: "Centre for Regional Studies".
_NAME_JOINERS = frozenset({"of", "for", "and", "the", "&"})
_NEXT_WORD = re.compile(r"[\s’'-]*(?:(?:of|for|and|the|&)\s+)?([^\W\d_]+)")
_PUNCTUATION_NEXT = re.compile(r"\s*[.!?;:,\n]")
_JOINED_BEFORE = (",", " and", " or")
_JOINED_AFTER = (",", "and ", "or ")


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


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 4):start].rstrip(" ‘’'\"“”")
    return not before or before[-1] in ".!?:\n"


def _word_before(text: str, start: int) -> str:
    words = _LETTERS.findall(text[max(0, start - 40):start])
    return words[-1] if words and text[max(0, start - 40):start].rstrip().endswith(words[-1]) else ""


def _in_name(text: str, start: int, end: int) -> bool:
    """Whether the capitalised occurrence text[start:end] is part of a longer
    capitalised name (a neighbouring capitalised word, joiners allowed)."""
    if not text[start].isupper():
        return False
    words = _LETTERS.findall(text[start:end])
    if not all(_capitalised(w) for w in words):
        return False
    following = _NEXT_WORD.match(text, end, end + 40)
    if following and _capitalised(following.group(1)) and not _PUNCTUATION_NEXT.match(text, end):
        return True
    if _sentence_start(text, start):
        return False
    position = start
    for _ in range(2):
        previous = _word_before(text, position)
        if not previous:
            return False
        if previous.lower() in _NAME_JOINERS:
            position = text.rindex(previous, 0, position)
            continue
        if _sentence_start(text, text.rindex(previous, 0, position)):
            return False
        return _capitalised(previous)
    return False


def _in_list(text: str, start: int, end: int, sentence: tuple[int, int]) -> bool:
    """Whether the occurrence is one item of an enumeration of three or more
    (joined to a neighbour by a comma or a conjunction, in a sentence with
    at least two commas)."""
    before = text[max(0, start - 5):start].rstrip().lower()
    after = text[end:end + 5].lstrip().lower()
    if not (before.endswith(_JOINED_BEFORE) or after.startswith(_JOINED_AFTER)):
        return False
    return text.count(",", *sentence) >= 2


def with_history(confidence: float, prior: float) -> float:
    """The text's confidence lifted by editors' history of this topic with
    the article's people, organisations and places, as a second, independent
    cue (a noisy-or): bounded, since history alone gives at most PRIOR_WEIGHT
    x prior, and never lowering what the text gives (a topic editors have not
    tagged these people with yet is not evidence against it)."""
    return 1.0 - (1.0 - confidence) * (1.0 - PRIOR_WEIGHT * min(1.0, max(0.0, prior)))


class TopicIndex:
    """Built once from the topic list; `suggest` is then a single pass over the text."""

    def __init__(self, topics: Iterable[TopicRecord]):
        self.topics = {t.key: t for t in topics}
        self._automaton = ahocorasick.Automaton()
        forms: dict[str, list[tuple[str, float]]] = {}
        common: dict[str, bool] = {}  # phrase -> editors write it in lower case (a common noun)
        for topic in self.topics.values():
            spellings = [" ".join(p.split()) for p in topic.keywords]
            name = " ".join(topic.name.split())
            # A sentence-case topic name ("Flood protection") is a common noun.
            spellings.append(name[:1].lower() + name[1:] if name[1:] == name[1:].lower() else name)
            for spelling in spellings:
                key = _fold(spelling)
                if len(key) < 3:
                    continue
                common[key] = common.get(key, False) or spelling == spelling.lower()
                if any(owner == topic.key for owner, _ in forms.get(key, ())):
                    continue
                specificity = 1.0 + 0.5 * (len(key.split()) - 1)
                penalty = 1.0 - min(1.0, max(0.0, topic.keyword_rejection.get(key, 0.0)))
                if penalty > 0:
                    forms.setdefault(key, []).append((topic.key, specificity * penalty))
        for key, owners in forms.items():
            self._automaton.add_word(key, (key, tuple(owners), common[key]))
        if forms:
            self._automaton.make_automaton()
        self._empty = not forms
        self._prior_topics: dict[str, list[str]] = {}  # entity -> topics with a prior for it
        for topic in self.topics.values():
            for entity in topic.prior:
                self._prior_topics.setdefault(entity, []).append(topic.key)

    def _occurrences(self, text: str):
        """(start, end, owners, common, nested) for keyword hits on word
        boundaries, a plural "s"/"es" allowed, longest match first at each
        position; a shorter keyword of another topic ending where the longer
        one ends (its head noun) comes too, with nested=True."""
        if self._empty or not text:
            return []
        folded = _fold(text)
        hits = []
        for end_index, (key, owners, common) in self._automaton.iter(folded):
            start, end = end_index - len(key) + 1, end_index + 1
            for suffix in ("", "s", "es"):
                if folded.startswith(suffix, end) and _bounded(folded, start, end + len(suffix)):
                    hits.append((start, end + len(suffix), owners, common))
                    break
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        by_end: dict[int, list] = {}
        for hit in hits:
            by_end.setdefault(hit[1], []).append(hit)
        chosen, last_end = [], -1
        for start, end, owners, common in hits:
            if start < last_end:
                continue
            chosen.append((start, end, owners, common, False))
            last_end = end
            have = {key for key, _ in owners}
            for inner_start, _, inner_owners, inner_common in by_end[end]:
                if inner_start <= start:
                    continue
                others = tuple(o for o in inner_owners if o[0] not in have)
                if others:
                    chosen.append((inner_start, end, others, inner_common, True))
                    have.update(key for key, _ in others)
        return chosen

    def suggest(self, text: str, *, headline: str = "", entities: Sequence[str] = (),
                limit: int = DEFAULT_LIMIT, floor: float = DEFAULT_FLOOR,
                relative: float = DEFAULT_RELATIVE) -> list[TopicSuggestion]:
        """Topics for an article, best first. `entities` are keys such as
        "person:hun-sen" of the article's people, organisations and places
        (for the prior); `relative` drops topics below that share of the best
        topic's confidence."""
        scores: dict[str, float] = {}
        spans: dict[str, list[tuple[int, int]]] = {}
        repeats: dict[str, int] = {}  # keyword as read -> occurrences so far
        last_place: dict[str, tuple[int, int]] = {}  # topic -> (paragraph, sentence) of its last cue
        breaks = [m.start() for m in _PARAGRAPH.finditer(text)]
        sentences = [m.end() for m in _SENTENCE_BREAK.finditer(text)]
        length = max(len(text), 1)
        for source in (text, headline):
            in_text = source is text
            for start, end, owners, common, nested in self._occurrences(source):
                form = _fold(source[start:end]).rstrip("s")
                seen = repeats.get(form, 0)
                repeats[form] = seen + 1
                weight = HEADLINE_WEIGHT
                if in_text:
                    paragraph = bisect.bisect_right(breaks, start)
                    sentence = bisect.bisect_right(sentences, start)
                    place = (paragraph, sentence)
                    # Where its paragraph starts: the whole lead counts as the top.
                    top = breaks[paragraph - 1] if paragraph else 0
                    weight = LEAD_WEIGHT - (LEAD_WEIGHT - TAIL_WEIGHT) * (top / length)
                    if common and _in_name(text, start, end):
                        weight *= NAME_WEIGHT
                    bounds = (sentences[sentence - 1] if sentence else 0,
                              sentences[sentence] if sentence < len(sentences) else length)
                    if _in_list(text, start, end, bounds):
                        weight *= LIST_WEIGHT
                if nested:
                    weight *= NESTED_WEIGHT
                weight *= REPEAT_WEIGHT ** seen
                for topic_key, strength in owners:
                    gain = weight * strength
                    if in_text:
                        # Cues crowded into one sentence or paragraph are one
                        # passing remark, not several: the evidence is in the spread.
                        previous = last_place.get(topic_key)
                        if previous is not None:
                            if previous == place:
                                gain *= SENTENCE_WEIGHT
                            elif previous[0] == paragraph:
                                gain *= PARAGRAPH_WEIGHT
                        last_place[topic_key] = place
                        spans.setdefault(topic_key, []).append((start, end))
                    scores[topic_key] = scores.get(topic_key, 0.0) + gain
        with_prior = {key for e in entities for key in self._prior_topics.get(e, ())}
        for key in with_prior:
            scores.setdefault(key, 0.0)  # a topic may come from editors' past decisions alone
        words = text.count(" ") + text.count("\n") + 1
        scale = SATURATION * math.sqrt(max(1.0, words / REFERENCE_WORDS))
        suggestions = []
        for topic_key, score in scores.items():
            topic = self.topics[topic_key]
            confidence = 1.0 - math.exp(-score / scale)
            if topic_key in with_prior:
                prior = max((topic.prior.get(e, 0.0) for e in entities), default=0.0)
                confidence = with_history(confidence, prior)
            if confidence > 0 and confidence >= floor:
                suggestions.append(TopicSuggestion(topic_key, topic.name, round(confidence, 3), []))
        suggestions.sort(key=lambda s: (-s.confidence, s.name))
        suggestions = self._most_specific(suggestions)
        if suggestions:
            best = suggestions[0].confidence
            suggestions = [s for s in suggestions if s.confidence >= relative * best][:limit]
        for s in suggestions:
            s.mentions = [TopicMention(text[a:b], a, b) for a, b in spans.get(s.topic, ())]
        return suggestions

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
