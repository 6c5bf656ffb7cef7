import pytest

from articles.tagging.topics import TopicIndex, TopicRecord

TOPICS = [
    TopicRecord("peacekeeping", "Peacekeeping", ("peacekeeping", "peacekeepers", "UN peacekeeping")),
    TopicRecord("trade", "Trade", ("trade", "exports", "two-way trade"), parent="economy"),
    TopicRecord("economy", "Economy", ("economic growth",)),
    TopicRecord("demining", "Demining", ("demining", "landmines", "mine clearance")),
]


@pytest.fixture(scope="module")
def index():
    return TopicIndex(TOPICS)


def keys(suggestions):
    return [s.topic for s in suggestions]


def test_keywords_on_word_boundaries_case_insensitive_with_plurals(index):
    text = "Peacekeepers arrived. UN PEACEKEEPING grew. Landmine clearance: landmines remain."
    found = {s.topic: s for s in index.suggest(text, floor=0)}
    assert [m.text for m in found["peacekeeping"].mentions] == ["Peacekeepers", "UN PEACEKEEPING"]
    assert [m.text for m in found["demining"].mentions] == ["landmines"]
    for suggestion in found.values():
        for m in suggestion.mentions:
            assert text[m.start:m.end] == m.text


def test_no_match_inside_longer_words(index):
    assert index.suggest("The tradesman and the tradeoff.", floor=0) == []


def test_longest_phrase_wins_and_counts_once(index):
    found = index.suggest("Two-way trade reached $2 billion.", floor=0)
    assert keys(found) == ["trade"]
    assert [m.text for m in found[0].mentions] == ["Two-way trade"]


def test_more_and_headline_mentions_raise_confidence(index):
    once = index.suggest("Some trade.", floor=0)[0].confidence
    thrice = index.suggest("Trade, trade and exports.", floor=0)[0].confidence
    headline = index.suggest("Some trade.", headline="Trade deal", floor=0)[0].confidence
    assert once < thrice <= 1 and once < headline


def test_floor_and_limit(index):
    text = "Trade, exports and trade. Peacekeepers and peacekeeping. Demining of landmines."
    assert len(index.suggest(text, floor=0, limit=2)) == 2
    assert index.suggest("A word about trade.", floor=0.9) == []


def test_rejected_keywords_weigh_less():
    plain = TopicIndex([TopicRecord("trade", "Trade", ("exports",))])
    learnt = TopicIndex([TopicRecord("trade", "Trade", ("exports",), keyword_rejection={"exports": 0.8})])
    text = "Exports rose. Exports fell. Exports rose again."
    assert learnt.suggest(text, floor=0)[0].confidence < plain.suggest(text, floor=0)[0].confidence
    never = TopicIndex([TopicRecord("trade", "Trade", ("exports",), keyword_rejection={"exports": 1.0})])
    assert never.suggest(text, floor=0) == []


def test_editors_past_decisions_add_a_prior():
    index = TopicIndex([TopicRecord("diplomacy", "Diplomacy", ("summit",),
                                    prior={"person:hun-sen": 0.9})])
    without = index.suggest("They met at the summit.", floor=0)[0].confidence
    with_prior = index.suggest("They met at the summit.", entities=["person:hun-sen"], floor=0)[0].confidence
    assert with_prior > without
    only_prior = index.suggest("Nothing relevant here.", entities=["person:hun-sen"], floor=0)
    assert keys(only_prior) == ["diplomacy"] and only_prior[0].mentions == []


def test_empty_index_and_text():
    assert TopicIndex([]).suggest("trade") == []
    assert TopicIndex(TOPICS).suggest("") == []
