from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles import coverage
from articles.charts import monthly_counts
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Count every record's published articles by month again (articles/coverage.py): "
        "after a bulk import that bypassed the ORM, or a change of TIME_ZONE. With --check, "
        "compare the archive's kept counts with a count of its live articles, and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="report whether the archive's counts are right; change nothing")

    def handle(self, *args, check, **options):
        if check:
            kept, counted = coverage.monthly(), monthly_counts(Article.objects.live())
            wrong = sorted(m for m in kept.keys() | counted.keys() if kept.get(m) != counted.get(m))
            if wrong:
                raise CommandError(f"The kept counts are wrong for {len(wrong)} month(s), from "
                                   f"{wrong[0]:%Y-%m}: run manage.py build_coverage.")
            self.stdout.write(f"The kept counts are right: {sum(kept.values()):,} live articles "
                              f"in {len(kept):,} months.")
            return
        total = Article.objects.count()
        with tqdm(total=total, unit="article", file=self.stderr, disable=None) as progress:
            counted = coverage.rebuild(progress=progress.update)
        self.stdout.write(f"Counted {counted:,} published article(s) of {total:,}.")
