#!/usr/bin/env python3
"""What would reach the budgets: the heaviest statements found by
`bench/run.py --scaling`, next to rewrites returning the same rows, timed on
the same corpus. The rewrites are proposals for articles/models.py,
articles/views.py and articles/api/ (not applied there); each is checked to
return what the current query returns.

  .venv/bin/python bench/experiments.py [--size 100000] [--database sqlite] [--runs 20]

Uses the corpus bench/run.py builds (build/bench/corpus-<size>-seed1.sqlite3,
or the PostgreSQL database newsroom_bench as it stands).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402


def timed(function, runs: int, limit: float):
    """p50 and p95 in ms of `function()` over `runs` calls (fewer if they
    take more than `limit` seconds in all), and its last result."""
    times, result, started = [], None, time.monotonic()
    for _ in range(runs):
        began = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - began) * 1000)
        if time.monotonic() - started > limit and len(times) >= 3:
            break
    return bench.percentile(times, 50), bench.percentile(times, 95), len(times), result


def experiments(seed: int):
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from articles import corpus
    from articles.api.selectors import records_for
    from articles.models import (
        Article,
        ArticlePerson,
        ArticleTopic,
        Byline,
        Person,
        TagState,
        Topic,
    )
    from articles.search import FTS5_WEIGHTS, FTS_TABLE, quoted, parse, search_articles

    world = corpus.build_world(seed)
    top = world.people[0]
    named = world.people[10].name

    def live_join(prefix: str) -> Q:
        """live() through a relation, as a join rather than an IN (subquery)."""
        now = timezone.now()
        return (Q(**{f"{prefix}status": Article.Status.PUBLISHED,
                     f"{prefix}published_at__lte": now})
                & (Q(**{f"{prefix}embargo_until__isnull": True})
                   | Q(**{f"{prefix}embargo_until__lte": now})))

    def visible_person_now():
        return records_for(Person, AnonymousUser()).get(slug=top.slug)

    def visible_person_exists():
        tagged = ArticlePerson.objects.filter(live_join("article__"), person=OuterRef("pk"),
                                              state=TagState.ACCEPTED)
        bylined = Byline.objects.filter(live_join("article__"), person=OuterRef("pk"))
        return Person.objects.filter(Exists(tagged) | Exists(bylined)).get(slug=top.slug)

    yield ("visible person by slug (API ?person=, person page)",
           "articles/api/selectors.py records_for(); articles/records.py public_records(Person)",
           visible_person_now, visible_person_exists)

    def page_count_now():
        return Article.objects.live().count()

    def page_count_capped():
        return Article.objects.live()[:1001].count()

    yield ("live articles counted for the paginator (home, API list)",
           "Django's Paginator.count: COUNT(*) of the whole result; capped at 1,001 rows "
           "(\"1,000+\"), or cached per public generation",
           page_count_now, page_count_capped, False)

    sample = list(Topic.objects.order_by("path").values_list("pk", flat=True)[:3])
    n_topics = Topic.objects.count()

    def topic_coverage_now():
        return {t.pk: t.n_articles
                for t in Topic.objects.filter(pk__in=sample).annotate_live_articles()}

    def topic_coverage_one_pass():
        """Every topic's count from one pass over the live topic tags: each
        tag counts for its topic and the topic's ancestors (from the path)."""
        paths = dict(Topic.objects.values_list("pk", "path"))
        tags = ArticleTopic.objects.filter(live_join("article__"), state=TagState.ACCEPTED)
        articles = {}
        for topic, article in tags.values_list("topic_id", "article_id").iterator(10_000):
            for ancestor in paths[topic].strip("/").split("/"):
                articles.setdefault(int(ancestor), set()).add(article)
        return {pk: len(articles.get(pk, ())) for pk in sample}

    yield (f"live articles per topic subtree: 3 of {n_topics} topics now; all {n_topics} "
           "from one pass over the tags (topic index, search page facet, topic page)",
           "articles/models.py TopicQuerySet.annotate_live_articles(): one correlated "
           "subquery per topic, which SQLite drives from every live article",
           topic_coverage_now, topic_coverage_one_pass)

    def search_now():
        return [a.pk for a in search_articles(Article.objects.live(), named)[:20]]

    def search_joined():
        if connection.vendor != "sqlite":
            return search_now()
        now = str(timezone.now().replace(tzinfo=None))
        weights = ", ".join(map(str, FTS5_WEIGHTS))
        sql = f"""
            SELECT a.id FROM {FTS_TABLE} f JOIN articles_article a ON a.id = f.rowid
            WHERE {FTS_TABLE} MATCH %s AND a.status = %s AND a.published_at <= %s
              AND (a.embargo_until IS NULL OR a.embargo_until <= %s)
            ORDER BY bm25({FTS_TABLE}, {weights}), a.published_at DESC, a.id DESC LIMIT 20"""
        with connection.cursor() as cursor:
            cursor.execute(sql, [quoted(parse(named)), Article.Status.PUBLISHED, now, now])
            return [row[0] for row in cursor.fetchall()]

    yield (f"search page 1, q={named!r} (API ?q=, search page)",
           "articles/search.py search_articles(): Fts5Rank runs a MATCH per matching row "
           "(quadratic in the matches); joining the FTS table ranks them in one pass",
           search_now, search_joined)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=bench.POSTGRES_URL)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--limit", type=float, default=60, help="Seconds per measurement.")
    args = parser.parse_args(argv)
    url = bench.database_url(args, args.size)
    bench.setup_django(url)
    bench.limit_statements(600)
    print(f"{args.database}, {args.size:,} articles, up to {args.runs} runs each (ms p50 / p95)")
    for name, where, now, proposed, *same in experiments(args.seed):
        p50, p95, runs, before = timed(now, args.runs, args.limit)
        q50, q95, qruns, after = timed(proposed, args.runs, args.limit)
        check = "" if not (same[:1] or [True])[0] else (
            "  same result" if before == after else f"  DIFFERENT: {before!r} vs {after!r}")
        print(f"\n{name}\n  where: {where}\n"
              f"  now      {p50:10.2f} / {p95:10.2f}  ({runs} runs)\n"
              f"  proposed {q50:10.2f} / {q95:10.2f}  ({qruns} runs){check}")


if __name__ == "__main__":
    main()
