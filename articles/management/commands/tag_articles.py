from django.core.management.base import BaseCommand
from tqdm import tqdm

from articles.models import Article
from articles.tagger import get_tagger, tag_article, tagged_hash


class Command(BaseCommand):
    help = (
        "Run the tagger over the archive. Resumable: an article already tagged by this tagger "
        "version with its current text is skipped, so an interrupted run picks up where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="re-tag every article, even up to date")
        parser.add_argument("--status", help="only articles in this workflow status")
        parser.add_argument("--batch", type=int, default=500, help="articles read per query")

    def handle(self, *args, all, status, batch, **options):
        tagger = get_tagger()
        articles = Article.objects.order_by("pk")
        if status:
            articles = articles.filter(status=status)
        total = articles.count()
        done = skipped = 0
        totals = {"created": 0, "updated": 0, "removed": 0, "candidates": 0}
        last_pk = 0
        with tqdm(total=total, unit="article", file=self.stderr, disable=None) as progress:
            while True:
                chunk = list(articles.filter(pk__gt=last_pk)[:batch])
                if not chunk:
                    break
                for article in chunk:
                    last_pk = article.pk
                    progress.update(1)
                    if not all and article.tagged_hash == tagged_hash(article, tagger):
                        skipped += 1
                        continue
                    result = tag_article(article, tagger=tagger)
                    done += 1
                    for key in totals:
                        totals[key] += getattr(result, key)
        self.stdout.write(
            f"Tagged {done} article(s), {skipped} already up to date: {totals['created']} new "
            f"suggestions, {totals['updated']} refreshed, {totals['removed']} withdrawn, "
            f"{totals['candidates']} new-person candidates."
        )
