import datetime
import json
from pathlib import Path

import pytest

from articles import tagger
from articles.importer import MAX_BYTES, import_file
from articles.models import Article, ArticlePerson, DateMention, PersonCandidate, TagState
from tests.factories import PersonFactory, SourceFactory

pytestmark = pytest.mark.django_db
SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


@pytest.fixture(autouse=True)
def fresh_tagger():
    tagger.reset_cache()
    yield
    tagger.reset_cache()


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_a_raw_seed_imports_as_a_draft_with_suggestions(tmp_path):
    SourceFactory(name="The Phnom Penh Post")
    PersonFactory(name="Ry Sochan")
    PersonFactory(name="Fumio Kishida")
    [outcome] = import_file(SEEDS / "003_c9e976fd552eb193.txt")
    assert outcome.status == "imported", outcome.message
    article = outcome.article
    assert article.status == Article.Status.DRAFT
    assert article.headline == "Japan’s Kishida set for second Cambodia visit to bolster ties"
    assert article.source.name == "The Phnom Penh Post"
    assert article.published_at.date().isoformat() == "2022-09-29"
    assert [b.person.name for b in article.byline_set.all()] == ["Ry Sochan"]
    assert "scroll to top" not in article.body and "shakes hands" in article.captions
    tag = ArticlePerson.objects.get(article=article, person__name="Fumio Kishida")
    assert tag.state == TagState.SUGGESTED and tag.relation == "about"
    assert DateMention.objects.filter(article=article, value="2022-09-28").exists()
    assert PersonCandidate.objects.filter(article=article, name="Hun Sen").exists()


def test_missing_metadata_is_flagged_for_an_editor(tmp_path):
    [outcome] = import_file(SEEDS / "000_c9638c95984e0b08.txt")
    article = outcome.article
    assert "Not found in the text" in article.metadata_notes and "headline" in article.metadata_notes
    assert article.headline.startswith("Japanese Foreign Affairs Minister Yoko Kamikawa")
    assert article.published_at is None


def test_duplicates_are_refused_with_a_clear_message(tmp_path):
    import_file(SEEDS / "002_afd7fb0f151e5cc5.txt")
    respaced = (SEEDS / "002_afd7fb0f151e5cc5.txt").read_text().replace("\n\n", "\n\n\n").replace("’", "'")
    [outcome] = import_file(write(tmp_path, "copy.txt", respaced))
    assert outcome.status == "duplicate"
    assert "duplicate of “New Momentum in Cambodia-Japan Ties”" in outcome.message
    assert Article.objects.count() == 1


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n ", "empty file"),
    ("random.txt", bytes(range(256)) * 20, "binary data"),
    ("latin1.txt", "Phnom Penh café visit".encode("latin-1"), "not UTF-8"),
    ("page.txt", "<html><body><div><p>Hello</p><p>World</p></div></body></html>", "looks like HTML"),
    ("huge.txt", b"a" * (MAX_BYTES + 1), "too large"),
    ("bad.json", "{not json", "malformed JSON"),
    ("fields.json", json.dumps({"headline": "H", "body": "B", "colour": "red"}), "unknown field"),
    ("nobody.json", json.dumps({"headline": "H"}), "'body' is required"),
    ("date.json", json.dumps({"headline": "H", "body": "B", "published": "July"}), "not an ISO date"),
])
def test_bad_files_get_a_one_line_reason_and_write_nothing(tmp_path, name, data, reason):
    [outcome] = import_file(write(tmp_path, name, data))
    assert outcome.status == "refused" and reason in outcome.message
    assert "\n" not in outcome.message
    assert not Article.objects.exists()


def test_a_50_megabyte_file_is_refused_without_being_read(tmp_path, monkeypatch):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read the whole file"))
    [outcome] = import_file(huge)
    assert outcome.status == "refused" and "too large (51200 KiB" in outcome.message


def test_good_files_still_import_beside_bad_ones(tmp_path):
    files = [write(tmp_path, "a-empty.txt", b""), write(tmp_path, "b-binary.txt", b"\x00\x01" * 99),
             SEEDS / "004_422093d6a12b81b6.txt", write(tmp_path, "c-html.txt", "<html><body><p>x</p><p>y</p></body></html>")]
    statuses = [import_file(f)[0].status for f in files]
    assert statuses == ["refused", "refused", "imported", "refused"]
    assert Article.objects.count() == 1


def test_json_lines_import_each_article_atomically(tmp_path):
    lines = [
        {"headline": "Kishida visits", "body": "Fumio Kishida visited Cambodia on March 20.",
         "published": "2022-03-21", "source": "Nowhere Gazette"},
        {"headline": "Broken", "body": "Text", "original_url": "not a url"},
        {"headline": "Second", "body": "Another text entirely.", "bylines": ["Nobody Known"]},
    ]
    path = write(tmp_path, "batch.jsonl", "\n".join(json.dumps(line) for line in lines))
    outcomes = import_file(path)
    assert [o.status for o in outcomes] == ["imported", "refused", "imported"]
    assert "original_url" in outcomes[1].message
    first = Article.objects.get(headline="Kishida visits")
    assert first.published_at.date().isoformat() == "2022-03-21"
    assert "Nowhere Gazette" in first.metadata_notes
    assert "Nobody Known" in Article.objects.get(headline="Second").metadata_notes


def test_dry_run_stores_nothing(tmp_path):
    outcomes = import_file(SEEDS / "001_06b137256226c9bb.txt", dry_run=True)
    assert outcomes[0].status == "would import"
    assert not Article.objects.exists()


def test_a_crash_on_one_article_rolls_it_back_and_the_others_go_on(tmp_path, monkeypatch):
    real = tagger.tag_article

    def broken(article, **kwargs):
        if "explode" in article.body:
            raise RuntimeError("tagger exploded\non two lines")
        return real(article, **kwargs)

    monkeypatch.setattr("articles.importer.tag_article", broken)
    lines = [{"headline": "One", "body": "Please explode now."},
             {"headline": "Two", "body": "A quiet article about rice."}]
    outcomes = import_file(write(tmp_path, "batch.jsonl", "\n".join(json.dumps(x) for x in lines)))
    assert [o.status for o in outcomes] == ["refused", "imported"]
    assert "RuntimeError: tagger exploded on two lines" in outcomes[0].message
    assert "\n" not in outcomes[0].message
    assert list(Article.objects.values_list("headline", flat=True)) == ["Two"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(tmp_path, encoding):
    text = "Kishida visits Phnom Penh\n\nFumio Kishida arrived in Phnom Penh on Monday for talks."
    data = text.encode(encoding)
    if encoding != "utf-16":
        data = ("\ufeff" + text).encode(encoding)
    [outcome] = import_file(write(tmp_path, "win.txt", data))
    assert outcome.status == "imported", outcome.message
    assert "Fumio Kishida arrived" in outcome.article.body


def test_utf16_without_a_byte_order_mark_is_still_refused(tmp_path):
    [outcome] = import_file(write(tmp_path, "nobom.txt", "Some text here.".encode("utf-16-le")))
    assert outcome.status == "refused" and "binary data" in outcome.message


def test_the_same_body_under_a_new_headline_is_a_duplicate(tmp_path):
    body = "Fumio Kishida arrived in Phnom Penh on Monday for talks on trade and security."
    import_file(write(tmp_path, "a.json", json.dumps({"headline": "First", "body": body})))
    [outcome] = import_file(write(tmp_path, "b.json", json.dumps(
        {"headline": "A new headline", "body": body.replace(" on ", "  on ")})))
    assert outcome.status == "duplicate" and "“First”" in outcome.message
    [outcome] = import_file(write(tmp_path, "c.json", json.dumps(
        {"headline": "Other", "body": "A different article entirely, about rice."})))
    assert outcome.status == "imported"


def test_dry_run_reports_suggestions_and_duplicates_within_the_batch(tmp_path):
    PersonFactory(name="Fumio Kishida")
    body = "Fumio Kishida arrived in Phnom Penh on Monday for talks."
    seen = {}
    first = import_file(write(tmp_path, "a.json", json.dumps({"headline": "A", "body": body})),
                        dry_run=True, seen=seen)
    second = import_file(write(tmp_path, "b.json", json.dumps({"headline": "B", "body": body})),
                         dry_run=True, seen=seen)
    assert first[0].status == "would import" and "would suggest people: Fumio Kishida" in first[0].message
    assert second[0].status == "duplicate" and "a.json in this import" in second[0].message
    assert not Article.objects.exists()


def test_json_imports_note_missing_source_and_date(tmp_path):
    [outcome] = import_file(write(tmp_path, "a.json", json.dumps({"headline": "H", "body": "Some body."})))
    notes = outcome.article.metadata_notes
    assert "Not given in the JSON" in notes and "source, published" in notes
    [outcome] = import_file(write(tmp_path, "b.json", json.dumps(
        {"headline": "H2", "body": "Another body.", "source": "The Phnom Penh Post", "published": "2024-07-02"})))
    assert "Not given" not in outcome.article.metadata_notes


def test_a_time_in_the_date_line_is_kept(tmp_path):
    text = ("Kishida arrives in Phnom Penh\n\nBy Ry Sochan\n\nPublished: July 2, 2024 18:02 ICT\n\n"
            "Fumio Kishida arrived in Phnom Penh on Monday for talks on trade and security.")
    [outcome] = import_file(write(tmp_path, "t.txt", text))
    stored = Article.objects.get(pk=outcome.article.pk).published_at
    assert stored == datetime.datetime(2024, 7, 2, 11, 2, tzinfo=datetime.timezone.utc)
