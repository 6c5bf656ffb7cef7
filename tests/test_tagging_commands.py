import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles import tagger
from articles.models import Article, ArticlePerson

pytestmark = pytest.mark.django_db
SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
FLOORS = {"people": 0.95, "dates (value)": 0.90, "topics": 0.80}


@pytest.fixture(autouse=True)
def fresh_tagger():
    tagger.reset_cache()
    yield
    tagger.reset_cache()


def run(*args, stdin=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_suggest_tags_prints_the_contract(seed):
    path = SEEDS / "000_c9638c95984e0b08.txt"
    out, _ = run("suggest_tags", str(path), "--published", "2024-07-02", "--format", "json")
    result = json.loads(out)
    text = path.read_text(encoding="utf-8")
    kamikawa = next(p for p in result["people"] if p["record"] == "yoko-kamikawa")
    assert kamikawa["relation"] == "about"
    for mention in kamikawa["mentions"]:
        assert text[mention["span"][0]:mention["span"][1]] == mention["text"]
    visit = next(d for d in result["dates"] if d["text"] == "July 5-6")
    assert (visit["value"], visit["date_from"], visit["date_to"], visit["precision"]) == (
        "2024-07-05", "2024-07-05", "2024-07-06", "day")
    assert any(t["topic"] == "bilateral-relations" for t in result["topics"])


def test_suggest_tags_reads_standard_input(seed, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("Hun Sen spoke last year.".encode())))
    out, _ = run("suggest_tags", "-", "--published", "2024-07-02")
    result = json.loads(out)
    assert result["people"][0]["record"] == "hun-sen"
    assert result["dates"][0]["value"] == "2023"


@pytest.mark.parametrize("args,message", [
    (["/nonexistent/file.txt", "--published", "2024-01-01"], "Cannot read"),
    ([str(SEEDS / "000_c9638c95984e0b08.txt"), "--published", "July"], "--published must be a date"),
])
def test_suggest_tags_bad_input_is_one_clear_line(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("suggest_tags", *args)


def test_evaluate_tagging_meets_the_floors_on_the_seed_gold(db):
    out, _ = run("evaluate_tagging")
    rows = {}
    for line in out.splitlines()[1:]:
        name, *numbers = line.rsplit(None, 5)
        rows[name.strip()] = float(numbers[2])
    assert set(rows) >= set(FLOORS)
    for kind, floor in FLOORS.items():
        assert rows[kind] >= floor, (kind, rows[kind], out)
    assert not Article.objects.exists()  # the gold was loaded in a rolled-back transaction


def test_evaluate_tagging_needs_gold(db):
    with pytest.raises(CommandError, match="No article with accepted tags"):
        run("evaluate_tagging", "--fixture", "")


def test_import_articles_reports_each_file_and_a_summary(db, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    out, _ = run("import_articles", str(SEEDS / "002_afd7fb0f151e5cc5.txt"), str(tmp_path / "empty.txt"))
    assert "imported: “New Momentum in Cambodia-Japan Ties”" in out
    assert "empty.txt: refused: empty file" in out
    assert "Summary: 2 file(s): 1 imported, 1 refused." in out
    with pytest.raises(CommandError, match="No such file"):
        run("import_articles", str(tmp_path / "missing.txt"))


def test_tag_articles_is_resumable(seed):
    accepted_before = ArticlePerson.objects.filter(state="accepted").count()
    out, _ = run("tag_articles")
    assert "Tagged 5 article(s), 0 already up to date" in out
    out, _ = run("tag_articles")
    assert "Tagged 0 article(s), 5 already up to date" in out
    Article.objects.filter(pk=Article.objects.first().pk).update(content_hash="changed")
    out, _ = run("tag_articles")
    assert "Tagged 1 article(s), 4 already up to date" in out
    # the curated gold is untouched: editors' decisions are never overwritten
    assert ArticlePerson.objects.filter(state="accepted").count() == accepted_before
