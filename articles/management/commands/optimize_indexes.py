import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from tqdm import tqdm

from articles import corpus, facets, search
from articles.models import Article, ArticleCoverage, Coverage, PendingCoverage


class Command(BaseCommand):
    help = (
        "Keep the indexes fast: on SQLite, merge the full-text indexes (search, facets) into one "
        "segment each, a step at a time; on both databases, refresh the planner's statistics "
        "(PostgreSQL: VACUUM (ANALYZE) of the indexed tables, which also moves GIN's pending "
        "entries into the index). Safe while the site runs; after a large import, or nightly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, database, **options):
        if database not in connections:
            raise CommandError(f"No database {database!r} in DATABASES.")
        connection = connections[database]
        started = time.perf_counter()
        if connection.vendor == "sqlite":
            bars = {}

            def progress(table, written, size):
                if table not in bars:
                    bars[table] = tqdm(total=size, unit="page", desc=f"Merging {table}",
                                       file=self.stderr, disable=options["verbosity"] == 0 or None)
                bars[table].update(min(written, size) - bars[table].n)

            for table, segments in search.merge_sqlite_indexes(database, progress=progress):
                if table in bars:
                    bars.pop(table).close()
                self.stdout.write(f"{table}: {segments:,} segments merged into one." if segments > 1
                                  else f"{table}: one segment already.")
        self.stdout.write("Updating planner statistics…")
        tables = [model._meta.db_table for model in (Article, ArticleCoverage, Coverage, PendingCoverage)]
        corpus.analyze(connection, [*tables, *facets.statistics_tables(connection)])
        self.stdout.write(f"Indexes optimized in {time.perf_counter() - started:.1f} s.")
