from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from articles.models import Article


def record_initial_history(app_label="articles") -> int:
    """loaddata saves raw, so simple-history records nothing: give every
    object of the app's tracked models that has no revision its first one,
    so Compare revisions has a starting point. Returns how many."""
    created = 0
    for model in apps.get_app_config(app_label).get_models():
        try:
            history = get_history_manager_for_model(model)
        except NotHistoricalModelError:
            continue
        missing = list(model._default_manager.exclude(pk__in=history.values("id")))
        if missing:
            history.bulk_history_create(missing, default_change_reason="Loaded from the seed")
            created += len(missing)
    return created


class Command(BaseCommand):
    help = (
        "Load the seed articles (fixtures/seed.json) into an empty database and create "
        "the demo accounts, and render their list renditions. Leaves an existing newsroom's content alone."
    )

    def handle(self, *args, **options):
        if Article.objects.exists():
            self.stdout.write("Articles already present: seed fixture not loaded again.")
        else:
            call_command("loaddata", "seed", stdout=self.stdout)
            self.stdout.write(f"Recorded {record_initial_history()} first revisions.")
            call_command("build_renditions", stdout=self.stdout)
            call_command("build_coverage", stdout=self.stdout)  # loaddata bypasses the signals
        call_command("create_demo_accounts", stdout=self.stdout)
