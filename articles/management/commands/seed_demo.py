from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import Article


class Command(BaseCommand):
    help = (
        "Load the seed articles (fixtures/seed.json) into an empty database and create "
        "the demo accounts. Leaves an existing newsroom's content alone."
    )

    def handle(self, *args, **options):
        if Article.objects.exists():
            self.stdout.write("Articles already present: seed fixture not loaded again.")
        else:
            call_command("loaddata", "seed", stdout=self.stdout)
        call_command("create_demo_accounts", stdout=self.stdout)
