import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from tqdm import tqdm

from articles import corpus, coverage, facets
from articles.models import ArticleCoverage, Coverage, PendingCoverage

COUNT_BATCH = 20_000


def day(value: str) -> datetime.datetime:
    try:
        return datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time())
    except ValueError:
        raise CommandError(f"--end takes a date such as 2026-11-23, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Add N synthetic articles (with people, organisations, places, topics, sources and "
        "date mentions) for benchmarks at newsroom scale. The same --seed and --end give the "
        "same corpus; running again adds more articles to the same world."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int, help="How many articles to add.")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--end", type=day, default=None,
            help="The day the twenty years of publication end (default: today, UTC); scheduled "
                 "articles come after it.",
        )
        parser.add_argument("--batch-size", type=int, default=2000,
                            help="Articles per transaction.")
        parser.add_argument(
            "--workers", type=int, default=None,
            help="Processes generating articles while this one writes (default: one per core "
                 "but one; 0: none).",
        )
        parser.add_argument("--database", default="default", choices=["default"],
                            help="Only the default database (the coverage counts are kept there).")

    def handle(self, *args, n, seed, end, batch_size, workers, database, **options):
        if n < 0:
            raise CommandError("N cannot be negative.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        quiet = options["verbosity"] == 0
        with tqdm(total=n, unit="article", unit_scale=n >= 10_000, desc="Generating", disable=quiet,
                  file=self.stderr._out) as bar:
            summary = corpus.generate(
                n, seed=seed, end=end, using=database, batch_size=batch_size, workers=workers,
                progress=bar.update, stage=None if quiet else bar.set_description)
        # The bulk inserts bypass the signals that keep the coverage counts.
        # (A corpus for benchmarks: nobody reads it meanwhile, so the facet
        # index may be dropped and built once after.)
        added = range(summary.first_id, summary.last_id + 1) if summary.articles else range(0)
        started = time.perf_counter()
        with tqdm(total=len(added), unit="article", unit_scale=n >= 10_000, desc="Counting coverage",
                  disable=quiet, file=self.stderr._out) as bar, facets.index_deferred(database, exclusive=True):
            for start in range(0, len(added), COUNT_BATCH):
                coverage.refresh(added[start:start + COUNT_BATCH])
                bar.update(len(added[start:start + COUNT_BATCH]))
        if not quiet:
            self.stderr.write("Updating planner statistics…")
        # After the index is built: the posting lists too.
        corpus.analyze(connections[database], [
            *(model._meta.db_table for model in (ArticleCoverage, Coverage, PendingCoverage)),
            *facets.statistics_tables(connections[database])])
        counting = time.perf_counter() - started
        if quiet:
            return
        rate = summary.articles / summary.seconds if summary.seconds else 0
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in sorted(summary.by_kind.items()))
        self.stdout.write(
            f"Added {summary.articles:,} articles (ids {summary.first_id}–{summary.last_id}: "
            f"{kinds}) in {summary.seconds:.1f} s, {rate:,.0f} articles/s."
        )
        self.stdout.write("Tags and bylines: " + ", ".join(
            f"{count:,} {name}" for name, count in summary.tags.items()))
        self.stdout.write("New records: " + ", ".join(
            f"{count:,} {name}" for name, count in summary.records.items()))
        self.stdout.write(f"Coverage counted in {counting:.1f} s.")
