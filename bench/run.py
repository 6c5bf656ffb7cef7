#!/usr/bin/env python3
"""Newsroom at scale: load against the ceiling, and query cost as the corpus grows.

Load mode (the default; `make bench`):

  .venv/bin/python bench/run.py [--size 100000] [--database sqlite|postgresql]
                                [--duration 10] [--connections 64] [--soak 60]

builds (or reuses) a corpus of --size articles with `generate_articles` in a
throwaway database (build/bench/corpus-<size>-seed<seed>.sqlite3, or the
PostgreSQL database newsroom_bench), migrates, runs collectstatic, and serves it
with gunicorn as in production (DEBUG off, SECRET_KEY set, ALLOWED_HOSTS
127.0.0.1, 2 sync workers bound to 127.0.0.1 only). For each mode, once with the
anonymous page cache on Redis (CACHE_URL=redis://127.0.0.1:6379/1) and once with
every cache off (CACHE_URL=dummy://), wrk drives each endpoint for --duration
seconds after a --warmup, then all of them mixed for --soak seconds. One table
per mode: requests/s, p50, p99, errors, throughput as a share of the ceiling (a
trivial JSON view through the same middleware: newsroom/bench_urls.py), the
budget, and the SQL queries a response runs (counted in-process with the test
client, caches off, on two URLs of each kind: they must agree; counted on a
2,000-article corpus of the same world, since some pages take minutes at full
size). Workers' RSS is sampled from /proc after every run. When the requests
still queued after a run would take more than --backlog-limit seconds to
drain, the workers are restarted instead. The API's anonymous throttle is off
(API_ANON_RATE=""): one client address would otherwise be refused at 120/min.

Scaling mode:

  .venv/bin/python bench/run.py --scaling [--sizes 10000,100000,1000000]

builds (or reuses) a corpus of each size (SQLite: one file per size;
PostgreSQL: newsroom_bench, grown from one size to the next) and, at each,
captures the SQL that each page and API response runs (through the test
client: the views' and the API's own querysets), then replays it up to --runs
times on a fresh connection per run, timing each statement with its fetch:
the database's share of a response. Statements running over
--statement-timeout are cancelled and the response reported as such. Prints
p50/p95 per response side by side, with the growth from the smallest to the
largest size, and the slowest statement of each.

Comparison mode:

  .venv/bin/python bench/run.py --compare NAME=VALUE [--endpoints person,topic]
                                [--rounds 3] [--database postgresql]

serves the corpus twice at once, as the load mode does with every cache off,
one server with the environment variable NAME=VALUE (a setting to weigh, e.g.
DATABASE_PREPARED_STATEMENTS=0), and loads each endpoint on one then the other,
--rounds times, alternating which goes first. One server idles while the other
is loaded; a VM's speed drifts by more than many changes are worth between two
runs minutes apart, and interleaving cancels it. Prints each side's median
req/s and their ratio.

Plans mode (PostgreSQL):

  .venv/bin/python bench/run.py --plans --database postgresql [--size 100000] [--runs 50]

captures what the Statements (articles/statements.py) of each response run,
deep pages and every kind of filter included, and times each on a connection
of its own, prepared, --runs times with plans made for its parameters and
--runs times with the generic plan the server may keep, then
--runs times with the server's own choice between them (plan_cache_mode),
checking that all give the same rows. A Statement is prepared unless it says
prepare=False, and after five executions the server switches to the generic
plan when it estimates it no dearer: a prepared statement whose generic plan
takes more than GENERIC_PLAN_LIMIT times as long fails the run, whether or
not the server picks it today (its choice follows estimates that move).
Statements kept unprepared are shown with whether they still need to be.

Every run is written to build/bench/<mode>-<database>-<timestamp>.json too.
"""

import argparse
import datetime
import json
import logging
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "bench"
PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]
LUA = Path(__file__).resolve().parent / "report.lua"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench"
REDIS_CACHE_URL = "redis://127.0.0.1:6379/1"
SECRET = secrets.token_urlsafe(50)
END = "2026-11-23"  # the corpus's "today": fixed, so that re-runs build the same corpus

# Share of the ceiling each kind of endpoint must reach, per mode.
BUDGETS = {
    "cache": {"api_list": 0.50, "html_list": 0.40, "article": 0.80},
    "locmem": {"api_list": 0.50, "html_list": 0.40, "article": 0.80},
    "nocache": {"api_list": 0.15, "html_list": 0.10},
}
SCALING_BUDGETS_MS = {"api_filtered": 25.0, "api_filter_person": 25.0, "api_filter_rare": 25.0,
                      "api_filter_year": 25.0, "api_filter_days": 25.0, "api_filtered_deep": 25.0,
                      "api_search": 100.0, "search_name": 100.0, "search_common": 100.0}
MAX_GROWTH = 2.0
MAX_WORKER_RSS_MB = 200


# --- The database ------------------------------------------------------------


COUNTING_SIZE = 2000


def database_url(args, size: int) -> str:
    """SQLite: one file per corpus size; PostgreSQL: one database, regrown
    (and a second one for the small corpus queries are counted on)."""
    if args.database == "postgresql":
        return args.postgres_url + ("_queries" if size == COUNTING_SIZE else "")
    return f"sqlite:///{BUILD / f'corpus-{size}-seed{args.seed}.sqlite3'}"


def base_env(url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CACHE_URL"}}
    env.update(
        DATABASE_URL=url, SECRET_KEY=SECRET, ALLOWED_HOSTS="127.0.0.1,testserver",
        API_ANON_RATE="", BENCH_CEILING="1", DEBUG="0", PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(url: str, *arguments, **env):
    subprocess.run([*MANAGE, *arguments], env=base_env(url, **env), cwd=ROOT, check=True)


def article_count(args, url: str) -> int | None:
    """Articles in the corpus database, or None if there is none."""
    if args.database == "postgresql":
        import psycopg

        try:
            with psycopg.connect(url, connect_timeout=5) as conn:
                return conn.execute("SELECT count(*) FROM articles_article").fetchone()[0]
        except psycopg.Error:
            return None
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists():
        return None
    import sqlite3

    with sqlite3.connect(path) as conn:
        try:
            return conn.execute("SELECT count(*) FROM articles_article").fetchone()[0]
        except sqlite3.Error:
            return None


def create_database(args, url: str) -> None:
    """An empty, migrated database at `url` (dropped first if it exists)."""
    if args.database == "postgresql":
        import psycopg

        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    manage(url, "migrate", "--noinput", "-v0")


def grow_corpus(args, url: str, size: int) -> dict:
    """Bring the corpus at `url` to `size` articles; returns what it took."""
    count = article_count(args, url)
    if count is None or args.rebuild or count > size:
        create_database(args, url)
        count = 0
        args.rebuild = False  # once per run
    if count == size:
        print(f"Reusing the corpus of {size:,} articles at {url}.", flush=True)
        manage(url, "migrate", "--noinput", "-v0")  # the code may have moved on
        manage(url, "build_renditions", "--missing")  # and with it, the renditions' format
        return {"articles": size, "added": 0, "seconds": 0.0, "reused": True}
    print(f"Generating {size - count:,} articles ({count:,} → {size:,}) at {url}.", flush=True)
    load = os.getloadavg()
    started = time.perf_counter()
    manage(url, "generate_articles", str(size - count), "--seed", str(args.seed), "--end", END)
    seconds = time.perf_counter() - started
    # What publishing does one article at a time (articles/renditions.py), for
    # the whole corpus: its own step, timed apart from the generation.
    started = time.perf_counter()
    manage(url, "build_renditions", "--missing")
    rendering = time.perf_counter() - started
    return {"articles": size, "added": size - count, "seconds": round(seconds, 1),
            "rendering_seconds": round(rendering, 1),
            "load_before": load, "load_after": os.getloadavg(), "reused": False}


# --- Django in this process: targets, query counts, replays -------------------


def use_database(url: str) -> None:
    """Point this process's connection at another corpus (as settings would
    configure DATABASE_URL=url)."""
    from django.db import connection

    from newsroom.settings import database_from_env

    os.environ["DATABASE_URL"] = url
    config = database_from_env()
    connection.close()
    connection.settings_dict.update({key: config[key] for key in ("NAME", "HOST", "PORT", "USER")})


def setup_django(url: str) -> None:
    os.environ.update(base_env(url, CACHE_URL="dummy://", STATIC_MANIFEST="0"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # A statement cancelled by the timeout is reported in the tables, not as a traceback.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)


@dataclass
class Endpoint:
    name: str
    path: str
    variant: str | None = None  # another URL of the kind: must run as many queries
    budget: str | None = None


def targets(seed: int, *, deep: bool = False) -> list[Endpoint]:
    """The URLs benchmarked, chosen from the corpus's own world: the most
    popular person and topic (the pages readers visit most, and the
    heaviest), a typical article, and a search for a person's name."""
    from django.utils import timezone

    from articles import corpus
    from articles.api.pagination import NEWEST_FIRST, ArticlePagination
    from articles.models import Article, Person, Topic

    world = corpus.build_world(seed)
    live = Article.objects.live()
    last_id = Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    article, other = (live.filter(pk__gte=last_id // 2).order_by("pk")[:2]
                      if last_id else (None, None))
    top_person = Person.objects.get(key=world.people[0].key)
    tail_person = Person.objects.get(key=world.people[200].key)
    named, other_name = world.people[10].name, world.people[30].name
    top_topic = Topic.objects.get(slug=world.topics[world.topic_rank[0]].slug)
    other_topic = Topic.objects.get(slug=world.topics[world.topic_rank[5]].slug)
    year = timezone.now().year - 6
    filtered = (f"/api/v1/articles/?person={top_person.slug}&topic={top_topic.slug}"
                f"&mentioned_after={year}-01-01&mentioned_before={year + 1}-12-31")
    endpoints = [
        Endpoint("ceiling", "/bench/ceiling/"),
        # Page 1 of the home page also looks up the featured collection: one query more.
        Endpoint("home", "/", None, "html_list"),
        Endpoint("article", f"/articles/{article.slug}/", f"/articles/{other.slug}/", "article"),
        Endpoint("person", f"/people/{top_person.slug}/", f"/people/{tail_person.slug}/",
                 "html_list"),
        Endpoint("topic", f"/topics/{top_topic.slug}/", f"/topics/{other_topic.slug}/",
                 "html_list"),
        Endpoint("timeline", "/timeline/", "/timeline/?page=2", "html_list"),
        Endpoint("search", f"/search/?q={named.replace(' ', '+')}",
                 f"/search/?q={other_name.replace(' ', '+')}", "html_list"),
        Endpoint("api_list", "/api/v1/articles/", "/api/v1/articles/?page_size=100",
                 "api_list"),
        Endpoint("api_filtered", filtered, filtered + "&page_size=5", "api_list"),
        Endpoint("api_search", f"/api/v1/articles/?q={named.replace(' ', '+')}",
                 f"/api/v1/articles/?q={other_name.replace(' ', '+')}", "api_list"),
        Endpoint("api_detail", f"/api/v1/articles/{article.slug}/",
                 f"/api/v1/articles/{other.slug}/"),
    ]
    if deep:
        # Numbered pages stop at the listing cap (articles.pagination): the
        # deepest numbered page is the cap's last; deeper, readers go by the
        # month archive and crawlers by the API's cursor, at 90% of the depth.
        from articles.pagination import LISTING_CAP

        last_page = max(1, LISTING_CAP // 20)
        depth = max(1, live.count() * 9 // 10 // 20)
        position = live.order_by(*NEWEST_FIRST)[(depth - 1) * 20]
        cursor = ArticlePagination.encode(position, backwards=False)
        old = timezone.localtime(position.published_at)
        endpoints = [e for e in endpoints if e.name != "ceiling"]
        matches = (live.for_person(top_person).for_topic(top_topic)
                   .mentioning_dates(datetime.date(year, 1, 1), datetime.date(year + 1, 12, 31))
                   .order_by(*NEWEST_FIRST))
        filtered_cursor = ArticlePagination.encode(
            matches[max(0, matches.count() * 9 // 10 - 1)], backwards=False)
        endpoints[1:1] = [Endpoint("home_deep", f"/?page={last_page}"),
                          Endpoint("archive_deep", f"/archive/{old.year}/{old.month:02d}/")]
        endpoints[5:5] = [Endpoint("person_tail", f"/people/{tail_person.slug}/")]
        # Every kind of filter, for the 1M budget: a common person alone, a
        # rare person with a common topic, a topic and a year of mentions (the
        # matches far from the newest), a few days of mentions, the last
        # cursor of the conjunction at 90% of its depth.
        api = "/api/v1/articles/?"
        endpoints += [
            Endpoint("api_filter_person", f"{api}person={top_person.slug}"),
            Endpoint("api_filter_rare", f"{api}person={tail_person.slug}&topic={top_topic.slug}"),
            Endpoint("api_filter_year", f"{api}topic={other_topic.slug}&mentioned_after={year - 8}-01-01"
                                        f"&mentioned_before={year - 8}-12-31"),
            Endpoint("api_filter_days", f"{api}mentioned_after={year}-07-10&mentioned_before={year}-07-12"),
            Endpoint("api_filtered_deep", f"{filtered}&pagination=cursor&cursor={filtered_cursor}"),
        ]
        endpoints += [
            Endpoint("search_common", "/search/?q=budget"),
            Endpoint("api_list_deep_page", f"/api/v1/articles/?page={last_page}"),
            Endpoint("api_list_deep_cursor",
                     f"/api/v1/articles/?pagination=cursor&cursor={cursor}"),
        ]
        for e in endpoints:
            if e.name == "search":
                e.name = "search_name"
    return endpoints


def limit_statements(seconds: float) -> None:
    """Abort any statement of this process's connection that runs longer
    than `seconds` (a response that would take minutes is reported as such,
    not waited for). Call again after every reconnection."""
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)",
                           [str(int(seconds * 1000))])
    elif connection.vendor == "sqlite":
        started = [time.monotonic()]

        def restart_clock(execute, sql, params, many, context):
            started[0] = time.monotonic()
            return execute(sql, params, many, context)

        connection.execute_wrappers[:] = [w for w in connection.execute_wrappers
                                          if getattr(w, "__name__", "") != "restart_clock"]
        connection.execute_wrappers.append(restart_clock)
        connection.connection.set_progress_handler(
            lambda: int(time.monotonic() - started[0] > seconds), 20_000)


def captured_statements(client, path: str, *, label=None):
    """The response to an anonymous GET of `path`, and the SQL it ran:
    (sql, params) each; with `label`, a function asked as each statement
    runs, (sql, params, label()) for those it labels (anything but None)."""
    from django.db import connection

    statements = []

    def capture(execute, sql, params, many, context):
        if label is None:
            statements.append((sql, params))
        elif (tag := label()) is not None:
            statements.append((sql, params, tag))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        response = client.get(path)
    return response, statements


def query_counts(endpoints) -> dict:
    from django.test import Client

    client, counts = Client(), {}
    for endpoint in endpoints:
        numbers = []
        for path in filter(None, (endpoint.path, endpoint.variant)):
            response, statements = captured_statements(client, path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code} in-process.")
            numbers.append(len(statements))
        counts[endpoint.name] = numbers
    return counts


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def replay(statements, runs: int, timeout: float, max_seconds: float) -> dict:
    """Run a response's statements `runs` times (after one unrecorded run),
    each run on a fresh SQLite connection as a gunicorn worker has (a kept
    one on PostgreSQL), for at most `max_seconds` (3 runs at least);
    milliseconds per run and per statement."""
    from django.db import connection

    totals, per_statement = [], [[] for _ in statements]
    started = time.monotonic()
    for run in range(runs + 1):
        if run > 3 and time.monotonic() - started > max_seconds:
            break
        if connection.vendor == "sqlite" or run == 0:
            connection.close()
            limit_statements(timeout)
        total = 0.0
        with connection.cursor() as cursor:
            for i, (sql, params) in enumerate(statements):
                began = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                elapsed = (time.perf_counter() - began) * 1000
                total += elapsed
                if run:
                    per_statement[i].append(elapsed)
        if run:
            totals.append(total)
    details = sorted(
        ({"p50_ms": round(percentile(times, 50), 3), "p95_ms": round(percentile(times, 95), 3),
          "sql": " ".join(sql.split())[:600]}
         for times, (sql, _) in zip(per_statement, statements)),
        key=lambda d: -d["p50_ms"])
    return {
        "statements": len(statements),
        "runs": len(totals),
        "p50_ms": round(percentile(totals, 50), 3),
        "p95_ms": round(percentile(totals, 95), 3),
        "by_statement": details,
    }


def measure_queries(endpoints, args) -> dict:
    from django.db import OperationalError, connection
    from django.test import Client

    client, results = Client(), {}
    for endpoint in endpoints:
        connection.close()
        limit_statements(args.statement_timeout)
        began = time.monotonic()
        try:
            response, statements = captured_statements(client, endpoint.path)
        except OperationalError as error:  # the statement timeout (PostgreSQL: QueryCanceled)
            results[endpoint.name] = {"path": endpoint.path, "timed_out": args.statement_timeout,
                                      "error": str(error)[:200]}
            print(f"  {endpoint.name:22} a statement ran over {args.statement_timeout:g} s",
                  flush=True)
            continue
        if response.status_code != 200:
            raise SystemExit(f"{endpoint.path} answered {response.status_code} in-process.")
        reads = [(sql, params) for sql, params in statements
                 if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
        result = replay(reads, args.runs, args.statement_timeout, args.max_replay_seconds)
        results[endpoint.name] = {"path": endpoint.path,
                                  "view_seconds": round(time.monotonic() - began, 2), **result}
        print(f"  {endpoint.name:22} p50 {result['p50_ms']:10.2f} ms   "
              f"p95 {result['p95_ms']:10.2f} ms   ({result['runs']} runs)", flush=True)
    return results


# --- Prepared statements' plans (PostgreSQL) ---------------------------------

# A prepared statement's generic plan may take at most this many times as
# long as a plan made for its parameters (planning included) at the median.
GENERIC_PLAN_LIMIT = 2.0


def statement_executions(client, path: str):
    """The response to an anonymous GET of `path`, and what its Statements
    (articles.statements) ran: (sql, params, prepared) each, prepared being
    whether the Statement is one the server may keep a plan of."""
    from unittest import mock

    from articles.statements import Statement

    running = []
    rows = Statement.rows

    def tracked(statement, *args, **kwargs):
        running.append(statement)
        try:
            return rows(statement, *args, **kwargs)
        finally:
            running.pop()

    with mock.patch.object(Statement, "rows", tracked):
        response, executed = captured_statements(
            client, path, label=lambda: running[-1].prepare if running else None)
    return response, [(sql, tuple(params or ()), prepared) for sql, params, prepared in executed]


SESSION_SETTINGS = ("max_parallel_workers_per_gather", "jit", "TimeZone")


def plan_times(sql: str, params, runs: int, timeout: float) -> dict:
    """`sql` prepared on a connection of its own, made as Django makes this
    process's (its session settings: no parallel workers, no JIT), and run
    `runs` times (after one unrecorded run) in each of the server's plan
    cache modes: plans made for its parameters (custom), its generic plan
    (generic), then the server's own choice between them (auto: what it
    does with DATABASE_GENERIC_PLANS=0, once a statement has run five
    times). Milliseconds at the median of each; the
    plans of each kind each mode used, as the server counts them
    (pg_prepared_statements), which proves the mode; whether every mode
    gave the same rows (in any order: a UNION's may come in either)."""
    import psycopg
    from django.db import connection

    result, answers, used = {}, [], {}
    with connection.get_new_connection(connection.get_connection_params()) as conn:
        conn.autocommit = True
        conn.execute("SELECT set_config('statement_timeout', %s, false)", [str(int(timeout * 1000))])
        conn.execute("SET TIME ZONE 'UTC'")  # as Django's connections
        result["session"] = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in SESSION_SETTINGS}
        counted = (0, 0)
        for mode in ("custom", "generic", "auto"):
            conn.execute("SELECT set_config('plan_cache_mode', %s, false)",
                         [mode if mode == "auto" else f"force_{mode}_plan"])
            times = []
            with psycopg.Cursor(conn) as cursor:  # binding on the server, as prepared_cursor()'s
                for run in range(runs + 1):
                    began = time.perf_counter()
                    cursor.execute(sql, params, prepare=True)
                    rows = cursor.fetchall()
                    if run:
                        times.append((time.perf_counter() - began) * 1000)
            answers.append(sorted(map(repr, rows)))
            result[f"{mode}_ms"] = round(statistics.median(times), 3)
            now = conn.execute("SELECT sum(custom_plans), sum(generic_plans) FROM pg_prepared_statements "
                               "WHERE NOT from_sql").fetchone()
            used[mode] = {"custom": now[0] - counted[0], "generic": now[1] - counted[1]}
            counted = now
    result["plans_used"] = used
    result["same_answer"] = answers[0] == answers[1] == answers[2]
    result["ratio"] = round(result["generic_ms"] / max(result["custom_ms"], 1e-6), 2)
    result["server_picks"] = "generic" if used["auto"]["generic"] > used["auto"]["custom"] else "custom"
    return result


def check_plans(endpoints, args) -> dict:
    """For each response, each Statement it runs timed with the server's
    generic plan against plans for its parameters (plan_times())."""
    from django.test import Client

    client, results = Client(), {}
    for endpoint in endpoints:
        response, executed = statement_executions(client, endpoint.path)
        if response.status_code != 200:
            raise SystemExit(f"{endpoint.path} answered {response.status_code} in-process.")
        results[endpoint.name] = []
        for sql, params, prepared in dict.fromkeys(executed):
            timing = plan_times(sql, params, args.runs, args.statement_timeout)
            # Ruinous: the generic plan over the limit, whether or not the
            # server picks it today. Its choice follows its estimates, which
            # the parameters of a statement's first runs and the statistics
            # move: the timeline's page was given its generic plan one day,
            # and not the next.
            timing.update(prepared=prepared, sql=" ".join(sql.split())[:600],
                          ruinous=timing["ratio"] > GENERIC_PLAN_LIMIT)
            results[endpoint.name].append(timing)
            print(f"  {endpoint.name:22} {'prepared' if prepared else 'unprepared':10} "
                  f"custom {timing['custom_ms']:9.3f} ms  generic {timing['generic_ms']:9.3f} ms  "
                  f"{timing['ratio']:7.2f}×  the server picks {timing['server_picks']}", flush=True)
    return results


def print_plans_table(report: dict) -> bool:
    """The table of check_plans(); returns whether every prepared statement
    runs within GENERIC_PLAN_LIMIT times the time of plans made for its
    parameters with its generic plan, and every plan gives the same rows."""
    print(f"\nPlans of each statement ({report['size']:,} articles, median of {report['runs']} runs "
          f"each, ms): custom, generic, and which the server picks; a prepared statement's "
          f"generic plan must take ≤{GENERIC_PLAN_LIMIT:g}× its custom plans")
    print(f"{'response':22} {'statement':10} {'custom':>9} {'generic':>9} {'ratio':>8}  "
          f"{'picks':8} {'verdict':9} SQL")
    ok = True
    for name, timings in report["results"].items():
        for t in timings:
            if t["prepared"]:
                verdict = mark(not t["ruinous"])
                ok &= not t["ruinous"]
            else:  # Statement(prepare=False): is it still needed?
                verdict = "kept" if t["ruinous"] else "could be"
            if not t["same_answer"]:
                verdict += " (answers differ!)"
                ok = False
            print(f"{name:22} {'prepared' if t['prepared'] else 'unprepared':10} "
                  f"{t['custom_ms']:9.3f} {t['generic_ms']:9.3f} {t['ratio']:7.2f}×  "
                  f"{t['server_picks']:8} {verdict:9} {t['sql'][:80]}")
    return ok


# --- gunicorn and wrk ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the project as in production, on the loopback only."""

    def __init__(self, url: str, cache_url: str, workers: int, env: dict | None = None):
        self.env = base_env(url, CACHE_URL=cache_url, ALLOWED_HOSTS="127.0.0.1", **(env or {}))
        self.n_workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        BUILD.mkdir(parents=True, exist_ok=True)
        self.log = BUILD / "gunicorn.log"
        self.rss_mb: dict[int, float] = {}
        self.restarts = 0
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(Path(PYTHON).with_name("gunicorn")), "newsroom.wsgi:application",
             "--workers", str(self.n_workers), "--bind", f"127.0.0.1:{self.port}",
             "--graceful-timeout", "5", "--backlog", "2048", "--log-level", "warning",
             "--error-logfile", str(self.log)],
            cwd=ROOT, env=self.env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/bench/ceiling/", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"gunicorn did not start; see {self.log}")
            time.sleep(0.3)

    def settle(self, limit: float) -> float | None:
        """Seconds until the workers are through the requests still queued
        after wrk hung up (a slow endpoint leaves a backlog behind it that
        would be charged to the next one); None if that took more than
        `limit`, and the server was restarted instead."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            before = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + "/bench/ceiling/", timeout=limit) as r:
                    r.read()
            except OSError:
                pass
            if time.monotonic() - before < 0.2:
                return round(time.monotonic() - started, 1)
        self.stop(kill=True)
        self.restarts += 1
        self.start()
        return None

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def sample_rss(self) -> None:
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = int(next(line.split()[1] for line in status.splitlines()
                          if line.startswith("VmRSS:")))
            self.rss_mb[pid] = max(self.rss_mb.get(pid, 0), kb / 1024)

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            workers = self.workers()
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            if kill:  # the master's death does not stop its workers
                for pid in workers:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass


def wrk(url: str, duration: int, connections: int, threads: int, paths=()) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(LUA), url]
    if paths:
        command += ["--", *paths]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("{"))
    result = json.loads(line)
    seconds = result["duration_us"] / 1e6
    errors = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": round(result["requests"] / seconds, 1),
        "p50_ms": round(result["p50_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2),
        "errors": errors,
        "error_kinds": {k: result[k] for k in ("connect", "read", "write", "status", "timeout")
                        if result[k]},
        "requests": result["requests"],
    }


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk (Debian package).", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        raise SystemExit("The load benchmark needs wrk: sudo apt-get install wrk")


def bump_redis_cache(url: str) -> None:
    """Make pages cached by an earlier run under the same URLs unreachable."""
    manage(url, "shell", "-v0", "-c", "from articles.cache import bump; bump()",
           CACHE_URL=REDIS_CACHE_URL)


MODES = {"cache": REDIS_CACHE_URL, "nocache": "dummy://", "locmem": ""}


def load_endpoint(server: Server, endpoint: Endpoint, args) -> dict:
    """wrk against one endpoint of `server`: a warm-up, the run, then the
    workers' RSS and the time they took to drain what was queued."""
    target = server.base + endpoint.path
    if args.warmup:
        wrk(target, args.warmup, args.connections, args.threads)
        server.settle(args.backlog_limit)
    result = wrk(target, args.duration, args.connections, args.threads)
    server.sample_rss()
    result["backlog_s"] = server.settle(args.backlog_limit)
    return result


def run_mode(mode: str, url: str, endpoints, args) -> dict:
    cache_url = MODES[mode]
    if mode == "cache":
        bump_redis_cache(url)
    server = Server(url, cache_url, args.workers)
    results = {"cache_url": cache_url, "endpoints": {}, "load_before": os.getloadavg()}
    try:
        for endpoint in endpoints:
            result = load_endpoint(server, endpoint, args)
            results["endpoints"][endpoint.name] = result
            print(f"  {mode:7} {endpoint.name:14} {result['rps']:9.1f} req/s  "
                  f"p50 {result['p50_ms']:8.2f} ms  p99 {result['p99_ms']:8.2f} ms  "
                  f"errors {result['errors']}  backlog {result['backlog_s']} s", flush=True)
        if args.soak:
            paths = [e.path for e in endpoints if e.name != "ceiling"]
            results["soak"] = wrk(server.base + "/", args.soak, args.connections, args.threads,
                                  paths)
            server.sample_rss()
            results["soak"]["backlog_s"] = server.settle(args.backlog_limit)
            print(f"  {mode:7} {'mixed soak':14} {results['soak']['rps']:9.1f} req/s  "
                  f"errors {results['soak']['errors']}", flush=True)
    finally:
        server.stop()
    results["worker_rss_mb"] = [round(v, 1) for v in server.rss_mb.values()]
    results["restarts"] = server.restarts
    results["load_after"] = os.getloadavg()
    return results


# --- Reports -------------------------------------------------------------------


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cores": os.cpu_count(), "memory_gib": round(int(meminfo[1]) / 1024 / 1024, 1),
        "python": platform.python_version(), "load": os.getloadavg(),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                 capture_output=True, text=True).stdout.strip(),
    }


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def print_load_tables(report: dict) -> None:
    counts = report["queries"]
    for mode, title in (("cache", "anonymous page cache on Redis"),
                        ("locmem", "anonymous page cache in each worker's memory"),
                        ("nocache", "every cache off")):
        result = report["modes"].get(mode)
        if not result:
            continue
        ceiling = result["endpoints"]["ceiling"]["rps"]
        print(f"\n{title} ({result['cache_url']}), {report['database']}, "
              f"{report['corpus']['articles']:,} articles, {report['connections']} connections, "
              f"{report['duration']} s each, load {result['load_before'][0]:.2f}")
        print(f"{'endpoint':14} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
              f"{'ceiling':>8}  {'budget':8} {'queries':>7}")
        for name, r in result["endpoints"].items():
            share = r["rps"] / ceiling if ceiling else 0
            target = BUDGETS[mode].get(report["budget_of"].get(name) or "")
            budget = f"≥{target:.0%} {mark(share >= target)}" if target else ""
            numbers = counts.get(name, [])
            queries = ("/".join(map(str, numbers)) + ("" if len(set(numbers)) <= 1 else " !"))
            note = ""
            if r["requests"] == 0:
                note = f"  no response within {report['duration']} s"
            if r.get("backlog_s") is None:
                note += "  (queue abandoned: workers restarted)"
            elif r["backlog_s"] >= 1:
                note += f"  (queue drained in {r['backlog_s']:g} s)"
            print(f"{name:14} {r['rps']:9.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
                  f"{r['errors']:6d} {share:8.0%}  {budget:8} {queries:>7}{note}")
        if "soak" in result:
            s = result["soak"]
            print(f"{'mixed soak':14} {s['rps']:9.1f} {s['p50_ms']:8.2f} {s['p99_ms']:8.2f} "
                  f"{s['errors']:6d}   ({report['soak']} s, all endpoints but the ceiling; "
                  f"zero errors {mark(s['errors'] == 0)})")
        rss = result["worker_rss_mb"]
        print(f"worker RSS (max per worker): {', '.join(f'{v:.0f} MB' for v in rss)} "
              f"(< {MAX_WORKER_RSS_MB} MB {mark(all(v < MAX_WORKER_RSS_MB for v in rss))})")
    print("\nqueries: SQL statements of a response (caches off) on two URLs of the kind; "
          "'!' where they differ.")


def print_scaling_table(report: dict) -> None:
    sizes = [str(s) for s in report["sizes"]]
    names = list(report["results"][sizes[0]])
    print(f"\nDatabase time per response ({report['database']}, up to {report['runs']} runs, "
          "ms, p50 / p95)")
    header = f"{'response':22}" + "".join(f"{int(s):>20,}" for s in sizes)
    print(header + f"{'p95 growth':>12}  budget")
    for name in names:
        row, cells = f"{name:22}", [report["results"][s].get(name) for s in sizes]
        for r in cells:
            if r is None:
                row += f"{'—':>20}"
            elif "timed_out" in r:
                row += f"{'> ' + format(r['timed_out'], 'g') + ' s':>20}"
            else:
                row += f"{r['p50_ms']:>9.2f} /{r['p95_ms']:>9.2f}"
        first, last = cells[0], cells[-1]
        if first and last and "p95_ms" in first and "p95_ms" in last and first["p95_ms"]:
            growth = last["p95_ms"] / first["p95_ms"]
        else:
            growth = float("inf")
        budget = [f"≤{MAX_GROWTH:g}× {mark(growth <= MAX_GROWTH)}"]
        if name in SCALING_BUDGETS_MS:
            limit = SCALING_BUDGETS_MS[name]
            met = bool(last) and last.get("p95_ms", float("inf")) < limit
            budget.append(f"p95<{limit:g} ms {mark(met)}")
        print(row + f"{growth:>11.1f}×  " + ", ".join(budget))
    print("\nStatements per response: " + ", ".join(
        f"{name} " + "/".join(str(report["results"][s].get(name, {}).get("statements", "?"))
                              for s in sizes)
        for name in names))
    print(f"\nSlowest statement of each response at {int(sizes[-1]):,} articles:")
    for name in names:
        r = report["results"][sizes[-1]].get(name) or {}
        if r.get("by_statement"):
            slowest = r["by_statement"][0]
            print(f"  {name}: p95 {slowest['p95_ms']:.2f} ms: {slowest['sql'][:200]}")
        elif "timed_out" in r:
            print(f"  {name}: over {r['timed_out']:g} s")


def save(report: dict, kind: str) -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = BUILD / f"{kind}-{report['database']}-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    return path


# --- Main ------------------------------------------------------------------------


def compare_benchmark(args) -> None:
    name, equals, value = args.compare.partition("=")
    if not name or not equals:
        raise SystemExit("--compare takes NAME=VALUE, an environment variable and its value.")
    if args.rounds < 1:
        raise SystemExit("--rounds must be 1 or more.")
    url, _ = served_corpus(args)
    wanted = args.endpoints.split(",") if args.endpoints else None
    endpoints = [e for e in targets(args.seed) if not wanted or e.name in wanted]
    if wanted and (unknown := set(wanted) - {e.name for e in endpoints}):
        raise SystemExit(f"No such endpoint: {', '.join(sorted(unknown))}.")
    servers = {}
    try:
        servers["as configured"] = Server(url, MODES["nocache"], args.workers)
        servers[args.compare] = Server(url, MODES["nocache"], args.workers, env={name: value})
        rps = {(e.name, side): [] for e in endpoints for side in servers}
        for round_ in range(args.rounds):
            order = list(servers.items())
            for side, server in order if round_ % 2 == 0 else order[::-1]:
                for endpoint in endpoints:
                    result = load_endpoint(server, endpoint, args)
                    rps[endpoint.name, side].append(result["rps"])
                    print(f"  round {round_ + 1} {side:30} {endpoint.name:14} {result['rps']:9.1f} req/s",
                          flush=True)
    finally:
        for server in servers.values():
            server.stop()
    base, other = servers
    print(f"\nevery cache off, {args.database}, {args.size:,} articles, {args.rounds} rounds of "
          f"{args.duration} s, median req/s")
    print(f"{'endpoint':14} {base:>16} {other:>30}  ratio")
    report = {"machine": machine(), "database": args.database, "command": " ".join(sys.argv),
              "compare": args.compare, "rps": {f"{k[0]} {k[1]}": v for k, v in rps.items()}}
    for endpoint in endpoints:
        a, b = (statistics.median(rps[endpoint.name, side]) for side in (base, other))
        print(f"{endpoint.name:14} {a:16.1f} {b:30.1f}  {b / a:.2f}")
    print(f"\nSaved {save(report, 'compare')}")


def served_corpus(args) -> tuple[str, dict]:
    """The corpus of --size articles, grown if need be, with its static
    files collected and this process's Django pointed at it, for gunicorn
    to serve: its database URL, and what growing it took."""
    ensure_wrk()
    url = database_url(args, args.size)
    corpus = grow_corpus(args, url, args.size)
    manage(url, "collectstatic", "--noinput", "-v0")
    setup_django(url)
    return url, corpus


def load_benchmark(args) -> None:
    url, corpus = served_corpus(args)
    endpoints = targets(args.seed)
    # Queries are counted on a small corpus of the same world: their number
    # does not depend on the size (the scaling mode shows it), and some
    # pages take minutes at full size.
    small = database_url(args, COUNTING_SIZE)
    grow_corpus(args, small, COUNTING_SIZE)
    use_database(small)
    print(f"Counting queries per response at {COUNTING_SIZE:,} articles (test client, "
          "caches off).", flush=True)
    report = {
        "machine": machine(), "database": args.database, "corpus": corpus,
        "connections": args.connections, "duration": args.duration, "soak": args.soak,
        "workers": args.workers, "command": " ".join(sys.argv),
        "paths": {e.name: e.path for e in endpoints},
        "budget_of": {e.name: e.budget for e in endpoints},
        "queries": query_counts(targets(args.seed)), "modes": {},
    }
    for mode in args.modes.split(","):
        print(f"Load, {mode}:", flush=True)
        report["modes"][mode] = run_mode(mode, url, endpoints, args)
    print_load_tables(report)
    print(f"\nSaved {save(report, 'load')}")


def scaling_benchmark(args) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    setup_django(database_url(args, sizes[0]))
    from django.db import connection

    report = {"machine": machine(), "database": args.database, "sizes": sizes,
              "runs": args.runs, "command": " ".join(sys.argv), "corpus": {}, "results": {}}
    for size in sizes:
        url = database_url(args, size)
        connection.close()
        report["corpus"][size] = grow_corpus(args, url, size)
        use_database(url)
        print(f"Replaying each response's SQL {args.runs} times at {size:,} articles.",
              flush=True)
        report["results"][str(size)] = measure_queries(targets(args.seed, deep=True), args)
        save(report, "scaling")
    report["results"] = {str(k): v for k, v in report["results"].items()}
    print_scaling_table(report)
    print(f"\nSaved {save(report, 'scaling')}")


def plans_benchmark(args) -> None:
    if args.database != "postgresql":
        raise SystemExit("--plans checks PostgreSQL's plans: add --database postgresql.")
    url = database_url(args, args.size)
    corpus = grow_corpus(args, url, args.size)
    setup_django(url)
    from django.db import connection

    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        raise SystemExit("Prepared statements are off (DATABASE_PREPARED_STATEMENTS=0): "
                         "nothing to check.")
    print(f"Each Statement of each response, with custom plans, its generic plan and the "
          f"server's choice, {args.runs} runs each, at {args.size:,} articles.", flush=True)
    report = {"machine": machine(), "database": args.database, "size": args.size,
              "corpus": corpus, "runs": args.runs, "command": " ".join(sys.argv),
              "limit": GENERIC_PLAN_LIMIT,
              "results": check_plans(targets(args.seed, deep=True), args)}
    ok = print_plans_table(report)
    print(f"\nSaved {save(report, 'plans')}")
    if not ok:
        raise SystemExit("A prepared statement's generic plan is over the limit, or its plans "
                         "disagree: make it Statement(..., prepare=False), or give the planner "
                         "what it needs.")

def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL,
                        help="The throwaway PostgreSQL database (dropped and re-created).")
    parser.add_argument("--size", type=int, default=100_000, help="Articles (load mode).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true",
                        help="Generate the corpus again even if one of the size exists.")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per endpoint.")
    parser.add_argument("--warmup", type=int, default=2, help="Unrecorded seconds before each.")
    parser.add_argument("--soak", type=int, default=60,
                        help="Seconds of all endpoints mixed, per mode (0: none).")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--modes", default="cache,nocache",
                        help="cache (Redis), nocache (dummy://), locmem (CACHE_URL unset).")
    parser.add_argument("--backlog-limit", type=float, default=60,
                        help="Seconds to let the workers finish queued requests after a run "
                             "before restarting them instead.")
    parser.add_argument("--compare", metavar="NAME=VALUE",
                        help="Compare the server as configured with one given this environment "
                             "variable, interleaved, caches off.")
    parser.add_argument("--endpoints", help="Comma-separated endpoint names (--compare).")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds per side (--compare).")
    parser.add_argument("--scaling", action="store_true",
                        help="Measure database time per response at --sizes instead.")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=50,
                        help="Replays per response (scaling), runs per plan (plans).")
    parser.add_argument("--max-replay-seconds", type=float, default=30,
                        help="Replays of one response stop after this long (3 at least).")
    parser.add_argument("--statement-timeout", type=float, default=60,
                        help="Seconds after which a statement is cancelled (scaling, plans).")
    parser.add_argument("--plans", action="store_true",
                        help="PostgreSQL: time each Statement with custom plans, its generic plan "
                             "and the server's choice, at --size (--runs each).")
    args = parser.parse_args(argv)
    BUILD.mkdir(parents=True, exist_ok=True)
    if args.plans:
        plans_benchmark(args)
    elif args.scaling:
        scaling_benchmark(args)
    elif args.compare:
        compare_benchmark(args)
    else:
        load_benchmark(args)


if __name__ == "__main__":
    main()
