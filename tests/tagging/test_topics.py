import pytest

from articles.tagging.topics import PRIOR_WEIGHT, TopicIndex, TopicRecord

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


def test_history_for_other_topics_does_not_sink_a_topic_the_text_supports():
    index = TopicIndex([
        TopicRecord("floods", "Flood protection", ("flood protection", "dykes")),
        TopicRecord("diplomacy", "Diplomacy", ("summit",), prior={"person:hun-sen": 0.9}),
    ])
    text = "Flood protection along the Mekong: new dykes were built."
    alone = index.suggest(text, floor=0)[0].confidence
    found = {s.topic: s.confidence for s in index.suggest(text, entities=["person:hun-sen"], floor=0)}
    assert found["floods"] == alone
    assert index.suggest(text, entities=["person:hun-sen"], floor=alone)[0].topic == "floods"


def test_a_weak_prior_never_lowers_what_the_text_gives():
    index = TopicIndex([TopicRecord("trade", "Trade", ("trade", "exports", "tariffs"),
                                    prior={"place:japan": 0.05})])
    text = "Trade, exports and tariffs dominated the talks."
    alone = index.suggest(text, floor=0)[0].confidence
    weak = index.suggest(text, entities=["place:japan"], floor=0)[0].confidence
    assert alone <= weak < alone + 0.02
    strong = TopicIndex([TopicRecord("trade", "Trade", ("trade",), prior={"place:japan": 0.9})])
    assert (strong.suggest("Some trade.", entities=["place:japan"], floor=0)[0].confidence
            > strong.suggest("Some trade.", floor=0)[0].confidence)


# --- Fresh articles against a small tree of our own ----------------------------

TREE = [
    TopicRecord("diplomacy", "Diplomacy",
                ("diplomacy", "diplomatic", "foreign minister", "foreign ministry")),
    TopicRecord("state-visits", "State visits and summits",
                ("state visit", "official visit", "summit", "bilateral meeting"), parent="diplomacy"),
    TopicRecord("bilateral-relations", "Bilateral relations",
                ("bilateral relations", "bilateral ties", "strategic partnership", "diplomatic relations"),
                parent="diplomacy"),
    TopicRecord("defence", "Defence and security", ("defence", "defense", "security", "military")),
    TopicRecord("peacekeeping", "Peacekeeping", ("peacekeeping", "peacekeepers", "UN peacekeeping",
                                                 "blue helmets"), parent="defence"),
    TopicRecord("demining", "Demining", ("demining", "landmines", "mine clearance", "unexploded ordnance",
                                         "deminers"), parent="defence"),
    TopicRecord("military-cooperation", "Military cooperation",
                ("joint exercises", "training exercises", "navy", "armed forces", "defence cooperation"),
                parent="defence"),
    TopicRecord("economy", "Economy", ("economy", "economic", "growth")),
    TopicRecord("trade", "Trade", ("trade", "exports", "imports", "tariffs", "free trade agreement"),
                parent="economy"),
    TopicRecord("investment", "Investment", ("investment", "investors"), parent="economy"),
    TopicRecord("infrastructure", "Infrastructure", ("infrastructure",)),
    TopicRecord("transport", "Transport", ("roads", "bridge", "railway", "highway"), parent="infrastructure"),
    TopicRecord("ports", "Ports", ("port", "deep-sea port", "container terminal"), parent="infrastructure"),
    TopicRecord("flood-protection", "Flood protection", ("flood protection", "flood control", "drainage",
                                                         "dykes", "flood defences"), parent="infrastructure"),
    TopicRecord("education", "Education and training", ("education", "training", "scholarships")),
    TopicRecord("health", "Health", ("health", "hospital", "vaccine", "vaccination", "dengue", "patients")),
    TopicRecord("disasters", "Disasters", ("floods", "flooding", "typhoon", "evacuated", "disaster relief")),
]


@pytest.fixture(scope="module")
def tree():
    return TopicIndex(TREE)


def top(index, body, headline="", **kwargs):
    return keys(index.suggest(body, headline=headline, **kwargs))


DEMINING = """\
Japan will fund four new demining teams in Battambang, a province still littered with landmines \
decades after the civil war.

The teams, trained by the Cambodian Mine Action Centre, will clear 1,200 hectares of farmland by \
2026. Deminers found more than 3,000 landmines and pieces of unexploded ordnance there last year.

"Every field we clear is a field a family can plant again," a deminer said. The grant also pays \
for metal detectors and for teaching villagers to report unexploded ordnance.

The ambassador, who also discussed trade on his trip, said mine clearance would remain a priority \
of Japan's aid."""


def test_demining_article(tree):
    found = top(tree, DEMINING, "Japan funds demining teams for Battambang")
    assert found[0] == "demining"
    assert "trade" not in found and "defence" not in found  # a passing remark; the parent is implied


PEACEKEEPERS = """\
Two hundred Cambodian peacekeepers left Phnom Penh for South Sudan on Monday, the country's \
largest deployment to a UN peacekeeping mission this year.

The blue helmets will serve with the UN Mission in South Sudan for a year, building roads \
between camps and guarding civilians. Cambodia has sent more than 9,000 peacekeepers abroad \
since 2006.

Their commander said the contingent had trained for six months. A field hospital team will \
follow in March.

Cambodia ranks among the leading contributors of troops to peacekeeping in Asia."""


def test_peacekeeping_article(tree):
    found = top(tree, PEACEKEEPERS, "Cambodian peacekeepers deploy to South Sudan")
    assert found[0] == "peacekeeping"
    assert not {"health", "transport", "defence"} & set(found)


TRADE = """\
Cambodia's exports to Japan rose 12 percent in the first half of the year, led by garments, \
bicycles and processed rice, the commerce ministry said on Tuesday.

Imports from Japan, mostly vehicles and machinery, grew more slowly, so the trade surplus widened. \
Officials credited lower tariffs under the ASEAN-Japan free trade agreement.

Most of the goods leave through Sihanoukville Autonomous Port, which handled a record number of \
containers. Exporters want more direct shipping lines to Yokohama.

Analysts expect trade between the two countries to pass $3 billion by 2027."""


def test_trade_article_and_a_port_named_in_passing(tree):
    found = top(tree, TRADE, "Exports to Japan up 12 percent")
    assert found[0] == "trade"
    assert "ports" not in found  # "Port" only in the port authority's name


FLOODS = """\
The city will build 14 kilometres of new dykes and widen drainage canals in the south of Phnom \
Penh before the rainy season, under a flood protection plan financed by a Japanese loan.

The works include three pumping stations and the repair of the old dykes along the Bassac. \
Engineers say the drainage network was designed for a city half the size.

Residents of Chbar Ampov, where streets stay under water for days, welcomed the plan. Traffic on \
the Monivong Bridge will be diverted during the works.

The flood control works are due to be finished in 2027."""


def test_flood_protection_article(tree):
    found = top(tree, FLOODS, "New dykes to protect Phnom Penh")
    assert found[0] == "flood-protection"
    assert "transport" not in found and "infrastructure" not in found


VISIT = """\
Foreign minister Sok Chenda Sophea arrived in Tokyo on Sunday for a three-day official visit, his \
first since taking office.

He will hold a bilateral meeting with his Japanese counterpart on Monday, when the two are \
expected to sign an agreement to upgrade bilateral relations to a comprehensive strategic \
partnership.

A ministry spokesman said talks would cover cooperation in trade, investment, health, demining \
and education.

"Our bilateral ties have never been closer," the minister told reporters at Haneda airport. The \
official visit ends on Tuesday with a call on the prime minister."""


def test_official_visit_and_an_enumeration_of_cooperation_areas(tree):
    found = top(tree, VISIT, "Sok Chenda Sophea makes first official visit to Japan")
    assert set(found[:2]) == {"state-visits", "bilateral-relations"}
    assert not {"trade", "investment", "health", "demining", "education", "diplomacy"} & set(found)


DENGUE = """\
Dengue cases in Cambodia have doubled this year, and hospitals in the capital say they are \
running out of beds for children.

The health ministry recorded 21,000 cases by July and 40 deaths. At the National Paediatric \
Hospital, patients share beds and parents sleep in the corridors.

Health officials urged families to empty standing water, where mosquitoes breed, and said a \
dengue vaccine approved in Japan could be tested in Cambodia next year.

Doctors said the season's heavy rains, and floods in the north-west, had made things worse."""


def test_health_article(tree):
    found = top(tree, DENGUE, "Dengue cases double as hospitals fill")
    assert found == ["health"]


def test_a_keyword_heading_a_longer_keyword_counts_for_its_topic_a_modifier_does_not():
    index = TopicIndex([
        TopicRecord("asean", "ASEAN", ("ASEAN", "ASEAN-Japan Summit")),
        TopicRecord("summits", "Summits", ("summit",)),
        TopicRecord("military", "Military cooperation", ("training exercises",)),
        TopicRecord("education", "Education", ("training",)),
    ])
    found = {s.topic: s for s in index.suggest("Leaders met at the ASEAN-Japan Summit.", floor=0,
                                               relative=0)}
    assert set(found) == {"asean", "summits"}
    assert [m.text for m in found["summits"].mentions] == ["Summit"]
    assert found["summits"].confidence < found["asean"].confidence
    found = keys(index.suggest("The navies held training exercises off Ream.", floor=0))
    assert found == ["military"]


def test_a_common_keyword_inside_a_name_weighs_less():
    index = TopicIndex([TopicRecord("ports", "Ports", ("port",)),
                        TopicRecord("navy", "Navy", ("navy",))])
    named = index.suggest("Ships docked at Sihanoukville Autonomous Port on Monday.", floor=0)
    plain = index.suggest("Ships docked at the new port on Monday.", floor=0)
    assert named[0].confidence < plain[0].confidence / 2
    # Capitalised at the start of a sentence is not a name.
    start = index.suggest("Port fees rose. Ships docked on Monday.", floor=0)
    assert start[0].confidence >= plain[0].confidence * 0.9
    assert (index.suggest("He joined the Royal Cambodian Navy in 1998.", floor=0)[0].confidence
            < index.suggest("He joined the navy in 1998.", floor=0)[0].confidence / 2)


def test_cues_crowded_into_one_sentence_weigh_less_than_cues_spread_out():
    index = TopicIndex([TopicRecord("maritime", "Maritime security",
                                    ("maritime security", "coast guard", "freedom of navigation"))])
    filler = "The ministers also spoke about other matters at length."
    crowded = ("They discussed maritime security, the coast guard and freedom of navigation. "
               + " ".join([filler] * 6))
    spread = ("They discussed maritime security. " + filler + "\n\n" + "The coast guard will grow. "
              + filler + "\n\n" + "Freedom of navigation matters. " + " ".join([filler] * 4))
    assert index.suggest(crowded, floor=0)[0].confidence < index.suggest(spread, floor=0)[0].confidence


def test_one_mention_says_less_in_a_long_article():
    index = TopicIndex([TopicRecord("tourism", "Tourism", ("tourism",))])
    filler = " ".join(["The council met again on Thursday to discuss the budget."] * 120)
    short = index.suggest("Tourism is recovering. " + filler[:300], floor=0)[0].confidence
    long = index.suggest("Tourism is recovering. " + filler, floor=0)[0].confidence
    assert long < short


def test_weak_topics_far_below_the_best_are_dropped(tree):
    text = ("Peacekeepers and UN peacekeeping. Blue helmets in South Sudan.\n\n"
            "More peacekeepers will follow.\n\nThe mission also builds roads.")
    assert "transport" in top(tree, text, floor=0, relative=0)
    assert top(tree, text, floor=0) == ["peacekeeping"]


def test_a_strong_sub_topic_hides_its_parent(tree):
    text = "Security was tight. Peacekeepers, UN peacekeeping and blue helmets: peacekeeping grew."
    found = top(tree, text, floor=0, relative=0)
    assert "peacekeeping" in found and "defence" not in found
    assert top(tree, "Security was tight. Military security was tighter.", floor=0) == ["defence"]


def test_history_is_a_bounded_boost():
    index = TopicIndex([TopicRecord("diplomacy", "Diplomacy", ("summit",), prior={"place:japan": 0.8})])
    alone = index.suggest("Nothing relevant here.", entities=["place:japan"], floor=0)[0].confidence
    assert 0 < alone <= PRIOR_WEIGHT * 0.8  # history alone is never certain...
    assert index.suggest("Nothing relevant here.", entities=["place:japan"]) == []  # ...nor enough here
    text_only = index.suggest("They met at the summit.", floor=0)[0].confidence
    both = index.suggest("They met at the summit.", entities=["place:japan"], floor=0)[0].confidence
    assert text_only < both < 1


def test_one_item_of_an_enumeration_weighs_less():
    index = TopicIndex([TopicRecord("health", "Health", ("health",))])
    listed = index.suggest("Talks covered trade, investment, health, demining and education.", floor=0)
    alone = index.suggest("Talks covered health, above all the new hospital in Kampot.", floor=0)
    assert listed[0].confidence < alone[0].confidence * 0.75
