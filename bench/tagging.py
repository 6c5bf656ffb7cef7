#!/usr/bin/env python3
"""Throughput of the whole tagging pipeline (standalone, no database).

Cleaning, then Tagger.suggest (people, organisations, places, new-person
candidates, dates, topics) on synthetic ~4,000-character articles against an
authority list of 100,000 names and aliases and 300 topics, on one core. The
authority list is loaded once, as in a worker process.

Run:  .venv/bin/python bench/tagging.py [--names 100000] [--articles 2000]
"""

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tagging_entities import make_articles, make_records, rss_mb  # noqa: E402

from articles.tagging.cleaning import clean_text  # noqa: E402
from articles.tagging.pipeline import Tagger  # noqa: E402
from articles.tagging.topics import TopicRecord  # noqa: E402

WORDS = ("trade investment defence security peacekeeping diplomacy summit visit port bridge "
         "education tourism aid loan road railway energy climate health election court police "
         "fisheries agriculture rice garment labour migration border maritime navy army").split()
DATES = ["on July 5-6", "last year", "in March", "since the 1990s", "on 14 August 2017",
         "early 2024", "between August 21 and 23", "next month", "in 2013"]


def make_topics(n, rng):
    topics = []
    for i in range(n):
        words = rng.sample(WORDS, 4)
        topics.append(TopicRecord(key=f"topic-{i}", name=f"{words[0].title()} {i}",
                                  keywords=tuple(f"{a} {b}" if j % 2 else a
                                                 for j, (a, b) in enumerate(zip(words, words[1:])))))
    return topics


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--topics", type=int, default=300)
    args = parser.parse_args(argv)
    rng = random.Random(42)
    records = make_records(args.names, rng)
    start = time.perf_counter()
    tagger = Tagger(records, make_topics(args.topics, rng))
    print(f"authority list: {sum(1 + len(r.aliases) for r in records):,} names and aliases, "
          f"{args.topics} topics; built once in {time.perf_counter() - start:.1f}s, RSS {rss_mb():.0f} MiB")
    articles = []
    for text in make_articles(records, args.articles, 4_000, rng):
        sentences = text.split(". ")
        for phrase in rng.sample(DATES, 4):
            sentences.insert(rng.randrange(len(sentences)), f"They met {phrase}")
        sentences.insert(1, " ".join(rng.sample(WORDS, 6)))
        articles.append(". ".join(sentences))
    published = datetime.date(2024, 7, 2)
    for text in articles[:20]:
        tagger.suggest(clean_text(text).text, published=published)
    start = time.perf_counter()
    found = 0
    for text in articles:
        result = tagger.suggest(clean_text(text).text, published=published)
        found += sum(len(v) for v in result.values())
    elapsed = time.perf_counter() - start
    mean = sum(map(len, articles)) / len(articles)
    print(f"{len(articles):,} articles of {mean:,.0f} characters: {len(articles) / elapsed:,.0f} "
          f"articles/s on one core ({elapsed / len(articles) * 1000:.2f} ms each, "
          f"{found / len(articles):.1f} suggestions each)")


if __name__ == "__main__":
    main()
