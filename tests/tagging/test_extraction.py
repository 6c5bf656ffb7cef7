"""Tests for articles.tagging.extraction (pure, no Django)."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.tagging.cleaning import clean_text
from articles.tagging.extraction import DEFAULT_SOURCES, Extracted, extract, parse_time

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"

ALL_MISSING = ("headline", "standfirst", "bylines", "source", "published", "dateline")

SEED_003_CAPTION = (
    "Prime Minister Hun Sen (left) shakes hands with his Japanese counterpart Fumio "
    "Kishida in Tokyo on September 28 a day after Hun Sen paid a last tribute to "
    "Shinzo Abe, the late former premier of Japan. SPM"
)

EXPECTED = {
    "000_c9638c95984e0b08.txt": dict(
        headline="",
        standfirst="",
        bylines=(),
        source="",
        published=None,
        dateline="",
        captions=(),
        missing=ALL_MISSING,
        paragraphs=14,
        body_start="Japanese Foreign Affairs Minister Yoko K",
        body_end="the training of Cambodia's armed forces.",
    ),
    "001_06b137256226c9bb.txt": dict(
        headline="",
        standfirst="",
        bylines=(),
        source="",
        published=None,
        dateline="",
        captions=(),
        missing=ALL_MISSING,
        paragraphs=16,
        body_start="Foreign minister Prak Sokhonn lauded the",
        body_end="through trade and investment,” he added.",
    ),
    "002_afd7fb0f151e5cc5.txt": dict(
        headline="New Momentum in Cambodia-Japan Ties",
        standfirst="",
        bylines=(),
        source="The Khmer Times",
        published=datetime.date(2017, 8, 14),
        dateline="",
        captions=(),
        missing=("standfirst", "bylines", "dateline"),
        paragraphs=19,
        body_start="Japan is an old friend of Cambodia. The ",
        body_end="s his friendship, his friendship to me.”",
    ),
    "003_c9e976fd552eb193.txt": dict(
        headline="Japan’s Kishida set for second Cambodia visit to bolster ties",
        standfirst=(
            "Cambodia PM Hun Sen also invited Kishida to attend the upcoming "
            "ASEAN-Japan Summit and the East Asia Summits held in Cambodia."
        ),
        bylines=("Ry Sochan",),
        source="The Phnom Penh Post",
        published=datetime.date(2022, 9, 29),
        dateline="Phnom Penh",
        captions=(SEED_003_CAPTION,),
        missing=(),
        paragraphs=19,
        body_start="PHNOM PENH – Japanese Prime Minister Fum",
        body_end="with peacekeeping under the UN umbrella.",
    ),
    "004_422093d6a12b81b6.txt": dict(
        headline="",
        standfirst="",
        bylines=(),
        source="",
        published=None,
        dateline="",
        captions=(),
        missing=ALL_MISSING,
        paragraphs=13,
        body_start="In a reaffirmation of their commitment, ",
        body_end="Peninsula and the Israel-Hamas conflict.",
    ),
}

FIELDS = ("headline", "standfirst", "bylines", "source", "published", "dateline", "captions", "missing")


def read(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def header(result: Extracted) -> dict:
    return {name: getattr(result, name) for name in FIELDS}


# --------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_fields(name):
    expected = dict(EXPECTED[name])
    result = extract(read(name))
    assert header(result) == {field: expected[field] for field in FIELDS}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_body(name):
    expected = EXPECTED[name]
    body = extract(read(name)).body
    assert body[:40] == expected["body_start"]
    assert body[-40:] == expected["body_end"]
    assert len(body.split("\n\n")) == expected["paragraphs"]
    assert "\n\n\n" not in body and body == body.strip()


@pytest.mark.parametrize("name", ["000_c9638c95984e0b08.txt", "001_06b137256226c9bb.txt", "004_422093d6a12b81b6.txt"])
def test_seed_without_header_body_is_whole_cleaned_text(name):
    raw = read(name)
    assert extract(raw).body == clean_text(raw).text


def test_seed_002_body_excludes_header_and_debris():
    result = extract(read("002_afd7fb0f151e5cc5.txt"))
    assert "The Khmer Times" not in result.body
    assert "New Momentum" not in result.body
    assert "Leave a Reply" not in result.body
    assert result.removed[0] == "Leave a Reply"
    assert result.removed[-1] == "Connecting to %s"
    assert result.body.endswith(
        "“In Tokyo, Prime Minister Abe celebrated my birthday for me, which clearly "
        "reflects his friendship, his friendship to me.”"
    )


def test_seed_003_body_excludes_header_lines():
    result = extract(read("003_c9e976fd552eb193.txt"))
    for line in ("Ry Sochan", "The Phnom Penh Post", "September 29, 2022", "SPM", "bolster ties"):
        assert line not in result.body.split("\n\n")[0]
    assert "Ry Sochan" not in result.body
    assert SEED_003_CAPTION not in result.body
    assert result.standfirst not in result.body
    assert result.removed == ("scroll to top",)
    # The dateline stays in the body, at offset 0.
    assert result.body.startswith("PHNOM PENH – ")


def test_seed_003_with_crlf_bom_and_nbsp_gives_same_result():
    raw = read("003_c9e976fd552eb193.txt")
    messy = "\ufeff" + raw.replace("\n", "\r\n").replace("Ry Sochan", "Ry\xa0Sochan\u200b ")
    assert extract(messy) == extract(raw)


def test_missing_matches_empty_fields_for_seeds():
    for name in EXPECTED:
        result = extract(read(name))
        for field in ALL_MISSING:
            assert (field in result.missing) == (not getattr(result, field))


# --------------------------------------------------------------------------
# Tricky inputs
# --------------------------------------------------------------------------


def test_empty_file_everything_missing():
    for raw in ("", "   \n\r\n\t", "\ufeff", "Leave a Reply\n\nConnecting to %s"):
        result = extract(raw)
        assert result.headline == result.standfirst == result.body == ""
        assert result.source == result.dateline == ""
        assert result.bylines == result.captions == ()
        assert result.published is None
        assert result.missing == ALL_MISSING


def test_single_paragraph_file():
    for raw in ("Only one paragraph, and a full sentence.", "Breaking news without a period"):
        result = extract(raw)
        assert result.headline == ""
        assert result.body == raw
        assert result.missing == ALL_MISSING


def test_by_line_iso_date_and_hyphen_dateline():
    raw = (
        "Hun Sen meets Kishida in Tokyo\n\n"
        "By Jane Doe\n\n"
        "2022-09-29\n\n"
        "TOKYO - Prime Minister Hun Sen met Kishida on Tuesday.\n\n"
        "They discussed trade."
    )
    result = extract(raw)
    assert result.headline == "Hun Sen meets Kishida in Tokyo"
    assert result.bylines == ("Jane Doe",)
    assert result.published == datetime.date(2022, 9, 29)
    assert result.dateline == "Tokyo"
    assert result.body == "TOKYO - Prime Minister Hun Sen met Kishida on Tuesday.\n\nThey discussed trade."
    assert result.missing == ("standfirst", "source")


@pytest.mark.parametrize(
    "line, names",
    [
        ("By Jane Doe", ("Jane Doe",)),
        ("BY JANE DOE", ("JANE DOE",)),
        ("By Jane Doe and John Smith", ("Jane Doe", "John Smith")),
        ("By Jane Doe, John Smith and Ann Lee", ("Jane Doe", "John Smith", "Ann Lee")),
        ("By AFP", ("AFP",)),
        ("Ry Sochan", ("Ry Sochan",)),
        ("Ry Sochan and May Kunmakara", ("Ry Sochan", "May Kunmakara")),
        ("Ludwig van Beethoven", ("Ludwig van Beethoven",)),
    ],
)
def test_byline_forms(line, names):
    result = extract(f"A headline\n\n{line}\n\n{line}\n\nThe body starts here.")
    assert result.bylines == names
    assert result.body == "The body starts here."


def test_name_like_first_line_is_headline_unless_repeated():
    result = extract("Hun Sen Visits Tokyo\n\nThe body starts here.")
    assert result.headline == "Hun Sen Visits Tokyo"
    assert result.bylines == ()
    result = extract("Ry Sochan\n\nRy Sochan\n\nThe body starts here.")
    assert result.headline == ""
    assert result.bylines == ("Ry Sochan",)
    assert result.body == "The body starts here."


def test_byline_with_date_and_time_segments():
    raw = "Ry Sochan | Publication date 29 September 2022 | 18:42 ICT\n\nBody para one."
    result = extract(raw)
    assert result.headline == ""
    assert result.bylines == ("Ry Sochan",)
    assert result.published == datetime.date(2022, 9, 29)
    assert result.body == "Body para one."


def test_byline_with_source_and_datetime():
    raw = (
        "Title here\n\n"
        "By Jane Doe and John Smith | The Khmer Times\n\n"
        "Thursday, September 29, 2022 | 10:37 AM ICT\n\n"
        "PHNOM PENH, Cambodia — Body text here."
    )
    result = extract(raw)
    assert result.bylines == ("Jane Doe", "John Smith")
    assert result.source == "The Khmer Times"
    assert result.published == datetime.date(2022, 9, 29)
    assert result.dateline == "Phnom Penh, Cambodia"
    assert result.body == "PHNOM PENH, Cambodia — Body text here."
    assert result.missing == ("standfirst",)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("September 29, 2022", datetime.date(2022, 9, 29)),
        ("Sept. 29, 2022", datetime.date(2022, 9, 29)),
        ("Sep 29 2022", datetime.date(2022, 9, 29)),
        ("29 Sep 2022", datetime.date(2022, 9, 29)),
        ("14 August 2017", datetime.date(2017, 8, 14)),
        ("14th of August, 2017", datetime.date(2017, 8, 14)),
        ("2022-09-29", datetime.date(2022, 9, 29)),
        ("Thursday, September 29, 2022", datetime.date(2022, 9, 29)),
        ("Published: 29 September 2022 | 10:37 ICT", datetime.date(2022, 9, 29)),
        ("Publication date 29 September 2022", datetime.date(2022, 9, 29)),
    ],
)
def test_date_line_forms(line, expected):
    result = extract(f"A headline\n\n{line}\n\nThe body starts here.")
    assert result.published == expected
    assert result.body == "The body starts here."


def test_impossible_date_is_not_a_date():
    result = extract("A headline\n\nFebruary 30, 2022\n\nThe body starts here.")
    assert result.published is None
    assert result.body == "February 30, 2022\n\nThe body starts here."


@pytest.mark.parametrize(
    "line, source, published",
    [
        ("The Phnom Penh Post", "The Phnom Penh Post", None),
        ("THE PHNOM PENH POST", "The Phnom Penh Post", None),
        ("Phnom Penh Post", "The Phnom Penh Post", None),
        ("The Post", "The Phnom Penh Post", None),
        ("Khmer Times", "The Khmer Times", None),
        ("Source: Khmer Times", "The Khmer Times", None),
        ("The Khmer Times, 14 August 2017", "The Khmer Times", datetime.date(2017, 8, 14)),
        ("Khmer Times | 2017-08-14", "The Khmer Times", datetime.date(2017, 8, 14)),
        ("The Phnom Penh Post – Politics", "The Phnom Penh Post", None),
    ],
)
def test_source_line_forms(line, source, published):
    result = extract(f"A headline\n\n{line}\n\nThe body starts here.")
    assert result.source == source
    assert result.published == published
    assert result.body == "The body starts here."


def test_headline_source_date_block_on_consecutive_lines():
    result = extract("New Momentum in Ties\nThe Khmer Times, 14 August 2017\n\nJapan is an old friend.")
    assert result.headline == "New Momentum in Ties"
    assert result.source == "The Khmer Times"
    assert result.published == datetime.date(2017, 8, 14)
    assert result.body == "Japan is an old friend."


def test_sentence_mentioning_source_is_body():
    raw = "Kishida visits Cambodia\n\nThe Post, which first reported the story, said so.\n\nMore text."
    result = extract(raw)
    assert result.source == ""
    assert result.standfirst == ""
    assert result.body == "The Post, which first reported the story, said so.\n\nMore text."


def test_custom_known_sources():
    raw = "A headline\n\nThe Cambodia Daily\n\nThe body starts here."
    assert extract(raw, known_sources=["The Cambodia Daily"]).source == "The Cambodia Daily"
    assert extract(raw, known_sources=iter(["Cambodia Daily"])).source == "Cambodia Daily"
    default = extract(raw)
    assert default.source == ""
    assert default.body == "The Cambodia Daily\n\nThe body starts here."
    assert DEFAULT_SOURCES == ("The Phnom Penh Post", "The Khmer Times")


@pytest.mark.parametrize(
    "caption",
    [
        "Hun Sen greets Kishida in Tokyo on Tuesday. AFP",
        "Hun Sen greets Kishida in Tokyo on Tuesday. REUTERS",
        "Hun Sen greets Kishida in Tokyo on Tuesday. Photo: Heng Chivoan",
        "Hun Sen greets Kishida in Tokyo on Tuesday. Photo supplied",
        "Hun Sen greets Kishida in Tokyo on Tuesday. Supplied",
        "Hun Sen greets Kishida in Tokyo on Tuesday. Heng Chivoan",
        "Hun Sen greets Kishida in Tokyo on Tuesday. KT/Chor Sokunthea",
        "Hun Sen greets Kishida in Tokyo on Tuesday. (AKP)",
        "Hun Sen greets Kishida in Tokyo on Tuesday (Photo: AKP)",
    ],
)
def test_caption_forms(caption):
    result = extract(f"A headline\n\n{caption}\n\nThe body starts here.")
    assert result.captions == (caption,)
    assert result.body == "The body starts here."


def test_caption_only_near_the_top():
    raw = (
        "A headline\n\nThe body starts here.\n\nA second paragraph follows.\n\n"
        "Hun Sen greets Kishida in Tokyo. AFP"
    )
    result = extract(raw)
    assert result.captions == ()
    assert result.body.endswith("Hun Sen greets Kishida in Tokyo. AFP")


@pytest.mark.parametrize(
    "first, dateline",
    [
        ("PHNOM PENH – Japanese Prime Minister Kishida spoke.", "Phnom Penh"),
        ("TOKYO - Japanese Prime Minister Kishida spoke.", "Tokyo"),
        ("TOKYO — Japanese Prime Minister Kishida spoke.", "Tokyo"),
        ("PHNOM PENH, Cambodia — Kishida spoke.", "Phnom Penh, Cambodia"),
        ("SIEM REAP (AFP) – Kishida spoke.", "Siem Reap"),
        ("COVID-19 cases rose again.", ""),
        ("US - China trade talks resumed.", ""),
        ("Tokyo – a city of millions – welcomed him.", ""),
    ],
)
def test_dateline_forms(first, dateline):
    result = extract(f"{first}\n\nSecond paragraph.")
    assert result.dateline == dateline
    assert result.body.startswith(first)


def test_standfirst_needs_headline_and_is_conservative():
    # No headline: a short first paragraph is body.
    assert extract("A short sentence here.\n\nRy Sochan\n\nBody.").standfirst == ""
    # A normal first body paragraph after a headline is not a standfirst.
    raw = "A headline\n\nJapan is an old friend of Cambodia, officials said.\n\nMore text.\n\nEven more."
    result = extract(raw)
    assert result.standfirst == ""
    assert result.body.startswith("Japan is an old friend")


def test_standfirst_followed_by_dateline_paragraph():
    raw = (
        "Kishida set for visit\n\n"
        "The premier will attend two summits.\n\n"
        "TOKYO – Japanese Prime Minister Fumio Kishida will visit.\n\n"
        "More."
    )
    result = extract(raw)
    assert result.standfirst == "The premier will attend two summits."
    assert result.body.startswith("TOKYO – ")


def test_standfirst_clearly_shorter_than_body_paragraphs():
    long_para = "This is a long body paragraph with plenty of words in it, " * 4
    raw = "Kishida visits Cambodia\n\nA short standfirst sentence here.\n\n" + "\n\n".join(
        [long_para.strip()] * 4
    )
    result = extract(raw)
    assert result.standfirst == "A short standfirst sentence here."
    assert result.body.startswith("This is a long body paragraph")


def test_headline_rules():
    # Final period: not a headline.
    assert extract("This is a sentence.\n\nAnother one.").headline == ""
    # Too long: not a headline.
    long_line = " ".join(["word"] * 25)
    assert extract(f"{long_line}\n\nAnother one.").headline == ""
    # Question headlines are fine.
    assert extract("Is Japan Cambodia’s best friend?\n\nBody.").headline == "Is Japan Cambodia’s best friend?"
    # A dateline paragraph or date is never a headline.
    assert extract("TOKYO – Kishida spoke\n\nBody.").headline == ""
    assert extract("September 29, 2022\n\nBody.").headline == ""
    # A short first line of a hard-wrapped paragraph is not a headline.
    assert extract("Kishida said on Tuesday that\nhe would visit.\n\nMore.").headline == ""


def test_html_ish_text_is_left_as_text():
    raw = "<h1>Big news</h1>\n\n<p>Some <b>body</b> text &amp; more.</p>\n\n<p>End.</p>"
    result = extract(raw)
    assert result.headline == "<h1>Big news</h1>"
    assert result.body == "<p>Some <b>body</b> text &amp; more.</p>\n\n<p>End.</p>"


def test_result_is_frozen():
    result = extract("Title\n\nBody.")
    with pytest.raises(AttributeError):
        result.headline = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "\n", "\n\n", "\r\n", " ", "\xa0", "\u200b", "Title", "Japan’s Kishida visits",
        "Ry Sochan", "By Jane Doe", "The Phnom Penh Post", "The Khmer Times, ",
        "14 August 2017", "September 29, 2022", "2022-02-30", "PHNOM PENH – ", "TOKYO - ",
        "A caption here. SPM", "Photo: AFP", "(Photo: AKP)", "Body sentence.", ". ", "|",
        "Leave a Reply", "scroll to top", "Share this:",
    ]
)
MESSY_TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=30).map("".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MESSY_TEXT)
def test_extract_properties(raw):
    result = extract(raw)
    cleaned = clean_text(raw)
    assert result.removed == cleaned.removed
    for text in (result.body, result.headline, result.standfirst):
        assert "\r" not in text
        assert "\n\n\n" not in text
        assert text == text.strip()
    # Nothing is invented: every body paragraph comes from the cleaned text.
    for paragraph in result.body.split("\n\n") if result.body else []:
        assert paragraph in cleaned.text
    for field in ALL_MISSING:
        assert (field in result.missing) == (not getattr(result, field))
    assert dataclasses.replace(extract(cleaned.text), removed=result.removed) == result


@pytest.mark.parametrize("line,expected", [
    ("July 2, 2024 18:02 ICT", "2024-07-02T18:02:00+07:00"),
    ("July 2, 2024 | 6:02 pm ICT", "2024-07-02T18:02:00+07:00"),
    ("2024-07-02 18:02 +07:00", "2024-07-02T18:02:00+07:00"),
    ("Tue, July 2, 2024 at 09:15 JST", "2024-07-02T09:15:00+09:00"),
    ("July 2, 2024 11:02 UTC", "2024-07-02T11:02:00+00:00"),
])
def test_a_time_with_its_zone_is_read_from_the_date_line(line, expected):
    assert parse_time(line, datetime.date(2024, 7, 2)).isoformat() == expected


@pytest.mark.parametrize("line", ["July 2, 2024", "2 July 2024 18:02", "July 2, 2024 25:61 ICT",
                                  "July 2, 2024 18:02 XYZ"])
def test_no_time_or_an_unknown_zone_is_not_kept(line):
    assert parse_time(line, datetime.date(2024, 7, 2)) is None


def test_extract_gives_the_publication_moment():
    text = ("Kishida arrives\n\nBy Ry Sochan\n\nPublished: July 2, 2024 18:02 ICT\n\n"
            "Fumio Kishida arrived in Phnom Penh on Monday for talks on trade and security.")
    result = extract(text)
    assert str(result.published) == "2024-07-02"
    assert result.published_at.isoformat() == "2024-07-02T18:02:00+07:00"
