"""Tests for articles.tagging.cleaning (pure, no Django)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.tagging.cleaning import (
    CleanedText,
    clean_text,
    content_hash,
    normalize_for_hash,
)

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"

SEED_002 = SEEDS / "002_afd7fb0f151e5cc5.txt"
SEED_003 = SEEDS / "003_c9e976fd552eb193.txt"

# Paragraphs left after cleaning, counted by hand from the seed files.
PARAGRAPH_COUNTS = {
    "000_c9638c95984e0b08.txt": 14,
    "001_06b137256226c9bb.txt": 16,
    "002_afd7fb0f151e5cc5.txt": 21,  # headline + source line + 19 body paragraphs
    "003_c9e976fd552eb193.txt": 26,  # 27 minus "scroll to top"
    "004_422093d6a12b81b6.txt": 13,
}

COMMENT_FORM_002 = (
    "Leave a Reply",
    "Fill in your details below or click an icon to log in: Logo",
    "You are commenting using your account. Log Out / Change )",
    "Google photo",
    "You are commenting using your Google account. Log Out / Change )",
    "Twitter picture",
    "You are commenting using your Twitter account. Log Out / Change )",
    "Facebook photo",
    "You are commenting using your Facebook account. Log Out / Change )",
    "Connecting to %s",
)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n") if text else []


def squash(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def assert_well_formed(text: str) -> None:
    assert "\r" not in text
    assert "\n\n\n" not in text
    assert text == text.strip()
    for line in text.split("\n"):
        assert line == line.strip(" ")
        assert "  " not in line


def test_seed_fixture_present():
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == sorted(PARAGRAPH_COUNTS)


# --------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PARAGRAPH_COUNTS))
def test_seed_paragraph_count(name):
    cleaned = clean_text(read(SEEDS / name))
    assert isinstance(cleaned, CleanedText)
    assert len(paragraphs(cleaned.text)) == PARAGRAPH_COUNTS[name]


@pytest.mark.parametrize("name", sorted(PARAGRAPH_COUNTS))
def test_seed_well_formed_and_idempotent(name):
    cleaned = clean_text(read(SEEDS / name))
    assert_well_formed(cleaned.text)
    again = clean_text(cleaned.text)
    assert again.text == cleaned.text
    assert again.removed == ()


@pytest.mark.parametrize("name", sorted(PARAGRAPH_COUNTS))
def test_seed_every_raw_paragraph_is_kept_or_reported(name):
    raw = read(SEEDS / name)
    cleaned = clean_text(raw)
    kept = set(paragraphs(cleaned.text))
    for para in re.split(r"\n\s*\n", raw):
        if not para.strip():
            continue
        assert squash(para) in kept or squash(para) in cleaned.removed


@pytest.mark.parametrize("name", sorted(PARAGRAPH_COUNTS))
def test_seed_keeps_original_typography(name):
    raw = read(SEEDS / name)
    text = clean_text(raw).text
    for char in "“”’–":
        assert text.count(char) == raw.count(char)
    assert "\xa0" not in text


def test_seed_002_loses_whole_comment_form():
    cleaned = clean_text(read(SEED_002))
    assert cleaned.removed == COMMENT_FORM_002
    for debris in ("Leave a Reply", "commenting using", "Connecting to", "Google photo"):
        assert debris not in cleaned.text
    last = paragraphs(cleaned.text)[-1]
    assert last.startswith("“In Tokyo, Prime Minister Abe celebrated my birthday for me")
    assert last == (
        "“In Tokyo, Prime Minister Abe celebrated my birthday for me, which clearly "
        "reflects his friendship, his friendship to me.”"
    )


def test_seed_002_nbsp_in_headline_becomes_space():
    first = paragraphs(clean_text(read(SEED_002)).text)[0]
    assert first == "New Momentum in Cambodia-Japan Ties"


def test_seed_003_loses_scroll_to_top_and_extra_blank_line():
    cleaned = clean_text(read(SEED_003))
    assert cleaned.removed == ("scroll to top",)
    assert "scroll to top" not in cleaned.text
    assert "The Phnom Penh Post\n\nPrime Minister Hun Sen (left)" in cleaned.text
    assert paragraphs(cleaned.text)[-1].startswith("He added that superpower rivalries")


def test_seed_000_trailing_nbsp_stripped():
    text = clean_text(read(SEEDS / "000_c9638c95984e0b08.txt")).text
    assert "development since the 1990s.\n\n" in text


# --------------------------------------------------------------------------
# Tricky inputs
# --------------------------------------------------------------------------


def test_empty_and_whitespace_only():
    assert clean_text("") == CleanedText(text="", removed=())
    assert clean_text(" \n\t\r\n \xa0\u200b\ufeff\n ") == CleanedText(text="", removed=())


def test_crlf_and_lone_cr():
    assert clean_text("One.\r\n\r\nTwo.\rThree.\r\n").text == "One.\n\nTwo.\nThree."


def test_bom_is_stripped():
    assert clean_text("\ufeffHeadline\n\nBody.").text == "Headline\n\nBody."


def test_nbsp_tabs_and_space_runs():
    raw = "  Hun\xa0Sen   met\t\tKishida\u2009in  Tokyo.  \n\n\u3000Next\u00a0 para. "
    assert clean_text(raw).text == "Hun Sen met Kishida in Tokyo.\n\nNext para."


def test_zero_width_characters_removed():
    raw = "Kishi\u200bda vis\u200cits\u200d Cam\u2060bodia.\ufeff"
    assert clean_text(raw).text == "Kishida visits Cambodia."


def test_control_characters_removed_and_unicode_line_breaks_normalised():
    assert clean_text("A\x00B\x07C.\u2028D.\u2029\u2029E.").text == "ABC.\nD.\n\nE."


def test_nfc_normalisation_keeps_characters():
    cleaned = clean_text("Cafe\u0301 “quotes” – dash ’s")
    assert cleaned.text == "Café “quotes” – dash ’s"


def test_many_blank_lines_collapse_to_one():
    assert clean_text("A.\n\n\n\n \n\t\nB.").text == "A.\n\nB."


def test_single_line_breaks_inside_paragraph_kept():
    assert clean_text("Line one\nline two.\n\nNext.").text == "Line one\nline two.\n\nNext."


def test_debris_in_the_middle_is_removed():
    raw = (
        "First paragraph.\n\n"
        "Leave a Reply\n\n"
        "You are commenting using your WordPress.com account. Log Out / Change )\n\n"
        "Connecting to %s\n\n"
        "Second paragraph."
    )
    cleaned = clean_text(raw)
    assert cleaned.text == "First paragraph.\n\nSecond paragraph."
    assert cleaned.removed == (
        "Leave a Reply",
        "You are commenting using your WordPress.com account. Log Out / Change )",
        "Connecting to %s",
    )


def test_share_button_block_removed():
    raw = (
        "Body paragraph.\n\n"
        "Share this:\n"
        "Click to share on Twitter (Opens in new window)\n"
        "Click to share on Facebook (Opens in new window)\n"
        "Twitter\nFacebook\n\n"
        "Like this:\n\nLike Loading...\n\n"
        "Related\n\n"
        "Another real paragraph."
    )
    cleaned = clean_text(raw)
    assert cleaned.text == "Body paragraph.\n\nAnother real paragraph."
    assert cleaned.removed[0] == "Share this:"
    assert cleaned.removed[-1] == "Related"
    assert len(cleaned.removed) == 8


def test_debris_line_inside_a_paragraph():
    assert clean_text("Line one.\nscroll to top\nLine two.").text == "Line one.\nLine two."


def test_loading_with_ellipsis_character_removed():
    assert clean_text("Text.\n\nLoading…").text == "Text."


def test_weak_debris_words_alone_are_kept():
    raw = "Related\n\nTwitter\n\nThe body mentions Facebook."
    cleaned = clean_text(raw)
    assert cleaned.text == raw
    assert cleaned.removed == ()


def test_leave_a_reply_inside_a_sentence_is_kept():
    raw = (
        "Readers were invited to leave a reply below the article.\n\n"
        "Please scroll to top of the page to read more, the editor said.\n\n"
        "“Share this: the news is good,” he said."
    )
    cleaned = clean_text(raw)
    assert cleaned.text == raw
    assert cleaned.removed == ()


def test_debris_matching_is_case_insensitive_on_whole_lines():
    cleaned = clean_text("Body.\n\nLEAVE A REPLY\n\nScroll To Top")
    assert cleaned.text == "Body."
    assert cleaned.removed == ("LEAVE A REPLY", "Scroll To Top")


def test_html_is_left_as_text():
    raw = "<p>Hello <b>world</b></p>\n\n<p>Leave a Reply</p>"
    assert clean_text(raw).text == raw


# --------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------


def test_normalize_for_hash_examples():
    assert normalize_for_hash("  Japan’s “Kishida” – visits\n\nCAMBODIA!  ") == (
        "japan s kishida visits cambodia"
    )
    assert normalize_for_hash("") == ""


def test_content_hash_is_sha256_of_normalized_text():
    expected = hashlib.sha256(b"title body text").hexdigest()
    assert content_hash("Title", "Body text.") == expected
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash("", ""))


def test_content_hash_ignores_whitespace_quotes_dashes_and_debris():
    headline = "Japan’s Kishida set for second Cambodia visit"
    body = "PHNOM PENH – Kishida said “yes”.\n\nHun Sen’s post followed."
    variant_body = (
        "PHNOM  PENH - Kishida said \"yes\".\r\n\r\n\r\n"
        "Hun\xa0Sen's post\u200b followed.\n\nLeave a Reply\n\nConnecting to %s\n"
    )
    assert content_hash(headline, body) == content_hash(
        "Japan's  Kishida set for second Cambodia visit", variant_body
    )


def test_content_hash_same_for_seed_and_reformatted_copy():
    raw = read(SEED_002)
    copy = raw.replace("\n\n", "\r\n\r\n\r\n").replace("’", "'").replace("“", '"')
    copy = copy.replace("”", '"').replace("Leave a Reply", "Leave a Reply\n\nShare this:")
    assert content_hash("", raw) == content_hash("", copy)


def test_content_hash_differs_for_different_articles():
    hashes = {content_hash("", read(path)) for path in SEEDS.glob("*.txt")}
    assert len(hashes) == len(PARAGRAPH_COUNTS)
    assert content_hash("Kishida visits", "Body.") != content_hash("Kishida visits", "Other body.")
    assert content_hash("Kishida visits", "Body.") != content_hash("Kamikawa visits", "Body.")


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "\n", "\n\n", "\r\n", "\r", " ", "\t", "\xa0", "\u200b", "\ufeff", "\u2028",
        "\x0c", "\x85", "e\u0301", "\u0301", "“", "’", " – ", "Leave a Reply",
        "Share this:", "Twitter", "Related", "scroll to top", "Connecting to %s",
        "Loading...", "Hun Sen.", "PHNOM PENH – ", "Ry Sochan", "The Phnom Penh Post",
        "September 29, 2022", " SPM", "By Jane Doe", "Title",
    ]
)
MESSY_TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=30).map("".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MESSY_TEXT)
def test_clean_text_properties(raw):
    cleaned = clean_text(raw)
    assert_well_formed(cleaned.text)
    again = clean_text(cleaned.text)
    assert again.text == cleaned.text
    assert again.removed == ()
    assert normalize_for_hash(cleaned.text) == normalize_for_hash(raw)
