"""
The benchmark's check of prepared statements' plans (bench/run.py --plans):
which statements a response prepares, each run with custom plans, with the
server's generic plan and with the server's choice between them, and a run
that fails when a prepared one's generic plan is ruinous.
"""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from articles import timeline
from tests.factories import ArticleFactory, DateMentionFactory

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def test_a_responses_statements_are_captured_with_whether_they_are_prepared(bench):
    article = ArticleFactory(published_at=timezone.now() - datetime.timedelta(hours=1))
    DateMentionFactory(article=article, value="2001", precision="year", text="2001",
                       date_from=datetime.date(2001, 1, 1), date_to=datetime.date(2001, 12, 31))
    response, executed = bench.statement_executions(Client(), "/timeline/")
    assert response.status_code == 200
    page_sql = timeline.EVERY._compiled["default"].sql
    prepared = {sql: flag for sql, _, flag in executed}
    assert prepared[page_sql] is False  # Statement(prepare=False)
    assert True in prepared.values()  # its first and last dates
    assert all(isinstance(params, tuple) for _, params, _ in executed)
    # Django's own queries are not Statements: the home page runs some.
    _, on_home = bench.statement_executions(Client(), "/")
    assert on_home and all(flag for _, _, flag in on_home)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan cache")
def test_a_statement_is_timed_with_custom_plans_its_generic_plan_and_the_servers_choice(bench):
    sql = "SELECT id FROM articles_article WHERE id > %s ORDER BY id LIMIT %s"
    timing = bench.plan_times(sql, (0, 10), runs=4, timeout=10)
    # Every run (and the unrecorded first) planned for its parameters, then
    # as many with the one generic plan, then as the server chose: it says so.
    used = timing["plans_used"]
    assert used["custom"] == {"custom": 5, "generic": 0}
    assert used["generic"] == {"custom": 0, "generic": 5}
    assert sum(used["auto"].values()) == 5
    assert timing["same_answer"] is True
    with connection.cursor() as cursor:  # the plans the application's sessions would get
        for name, value in timing["session"].items():
            cursor.execute(f"SHOW {name}")
            assert cursor.fetchone()[0] == value
    assert timing["session"]["max_parallel_workers_per_gather"] == "0"
    assert min(timing["custom_ms"], timing["generic_ms"], timing["auto_ms"]) > 0
    assert timing["ratio"] == round(timing["generic_ms"] / timing["custom_ms"], 2)
    assert timing["server_picks"] == max(used["auto"], key=used["auto"].get)


def timed(prepared, generic, picks="custom"):
    return {"prepared": prepared, "custom_ms": 1.0, "generic_ms": generic, "auto_ms": 1.0,
            "ratio": generic, "server_picks": picks, "ruinous": generic > 2.0,
            "same_answer": True, "sql": "SELECT 1"}


def test_a_prepared_statement_with_a_ruinous_generic_plan_fails_the_check(bench, capsys):
    report = {"size": 100, "runs": 3, "results": {"home": [timed(True, 0.5, "generic")],
                                                   "timeline": [timed(False, 900.0)]}}
    assert bench.print_plans_table(report) is True
    assert "kept" in capsys.readouterr().out  # unprepared, and rightly so
    # Whether or not the server picks it today.
    for picks in ("custom", "generic"):
        report["results"]["person"] = [timed(True, 2.5, picks)]
        assert bench.print_plans_table(report) is False
    report["results"]["person"] = [dict(timed(True, 1.0), same_answer=False)]
    assert bench.print_plans_table(report) is False
