from django.core.management.base import BaseCommand
from tqdm import tqdm

from articles import renditions
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Render the stored list renditions of articles (articles/renditions.py): all of them, "
        "or with --missing only those without one of the current format (after a rename of a "
        "much-covered record, or a deployment). Lists work without them, only slower."
    )

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true",
                            help="only the articles without a current rendition")

    def handle(self, *args, missing, **options):
        ids = list((renditions.missing() if missing else Article.objects.values_list("pk", flat=True))
                   .order_by("pk"))
        with tqdm(total=len(ids), unit="article", file=self.stderr, disable=None) as progress:
            built = renditions.build(ids, progress=progress.update)
        self.stdout.write(f"Rendered {built:,} article(s) (format {renditions.current_format()}).")
