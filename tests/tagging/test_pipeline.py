import datetime

from articles.tagging.entities import Record
from articles.tagging.pipeline import TAGGER_VERSION, Tagger
from articles.tagging.topics import TopicRecord

TEXT = ("Prime Minister Hun Sen met Fumio Kishida in Tokyo on September 28. Kishida will visit "
        "Cambodia in November for the ASEAN summit. Hun Sen thanked Japan for peacekeeping support.")


def make_tagger():
    return Tagger(
        [Record("person", "hun-sen", "Hun Sen"), Record("person", "fumio-kishida", "Fumio Kishida"),
         Record("place", "tokyo", "Tokyo"), Record("place", "cambodia", "Cambodia"),
         Record("organisation", "asean", "ASEAN")],
        [TopicRecord("peacekeeping", "Peacekeeping", ("peacekeeping",)),
         TopicRecord("summits", "Summits", ("summit", "visit"))],
    )


def test_the_contract_shape():
    result = make_tagger().suggest(TEXT, published=datetime.date(2022, 9, 29))
    assert set(result) == {"people", "organisations", "places", "dates", "topics"}
    people = {p["record"]: p for p in result["people"]}
    assert set(people) == {"hun-sen", "fumio-kishida"}
    for person in result["people"] + result["organisations"] + result["places"]:
        assert set(person) >= {"name", "record", "relation", "confidence", "mentions"}
        assert person["relation"] in {"about", "mentions"} and 0 <= person["confidence"] <= 1
        for mention in person["mentions"]:
            start, end = mention["span"]
            assert TEXT[start:end] == mention["text"]
    assert [m["text"] for m in people["fumio-kishida"]["mentions"]] == ["Fumio Kishida", "Kishida"]
    dates = {d["text"]: d for d in result["dates"]}
    assert dates["September 28"] == {
        "text": "September 28", "span": dates["September 28"]["span"], "precision": "day",
        "value": "2022-09-28", "date_from": "2022-09-28", "date_to": "2022-09-28", "mod": None}
    assert dates["November"]["value"] == "2022-11"
    assert all(0 <= t["confidence"] <= 1 for t in result["topics"])
    assert {t["topic"] for t in result["topics"]} <= {"peacekeeping", "summits"}


def test_candidates_carry_their_role():
    text = "Cambodian Centre for Regional Studies researcher Ek Bunly said so. Bunly added more."
    result = make_tagger().suggest(text, published=datetime.date(2024, 7, 2))
    candidate = next(p for p in result["people"] if p["record"] is None)
    assert candidate["name"] == "Ek Bunly" and "researcher" in candidate["role"]


def test_version_is_recorded():
    assert make_tagger().version == TAGGER_VERSION


def test_the_standfirst_and_headline_are_tagged_with_their_field():
    standfirst = "Hun Sen will meet Kishida in Tokyo on September 28 about peacekeeping."
    body = "The talks cover peacekeeping."
    headline = "Fumio Kishida to host Hun Sen for peacekeeping talks"
    result = make_tagger().suggest(body, published=datetime.date(2022, 9, 1), headline=headline,
                                   standfirst=standfirst)
    texts = {"body": body, "standfirst": standfirst, "headline": headline}
    for kind in ("people", "places"):
        for item in result[kind]:
            for m in item["mentions"]:
                assert texts[m.get("field", "body")][slice(*m["span"])] == m["text"]
    people = {p["record"]: p for p in result["people"]}
    assert [(m.get("field"), m["text"]) for m in people["fumio-kishida"]["mentions"]] == [
        ("standfirst", "Kishida"), ("headline", "Fumio Kishida")]
    (date,) = result["dates"]
    assert (date["field"], date["value"], standfirst[slice(*date["span"])]) == (
        "standfirst", "2022-09-28", "September 28")
    (topic,) = result["topics"]
    assert topic["mentions"] == [{"text": "peacekeeping", "span": [57, 69], "field": "standfirst"},
                                 {"text": "peacekeeping", "span": [16, 28]}]
