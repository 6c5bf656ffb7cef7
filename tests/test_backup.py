"""A backup and restore round trip loses nothing: articles, tags, history,
workflow log (the commands the README documents)."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from articles import workflow
from articles.models import Article, TransitionLog
from tests.factories import ArticleFactory, PersonTagFactory, TopicTagFactory, UserFactory

pytestmark = pytest.mark.django_db
BACKUP_ARGS = ["--format", "xml", "--natural-foreign", "--exclude", "contenttypes",
               "--exclude", "auth.permission", "--exclude", "sessions", "--exclude", "admin.logentry"]


def snapshot():
    """Every row of every project model, as comparable values."""
    state = {}
    for model in apps.get_app_config("articles").get_models():
        state[model._meta.label] = sorted(
            tuple(sorted((k, str(v)) for k, v in row.items()))
            for row in model.objects.values()
        )
    return state


def test_dumpdata_loaddata_round_trip(tmp_path):
    publisher = UserFactory(username="publisher", group="Publisher")
    article = ArticleFactory(status=Article.Status.APPROVED, headline="Backed up “safely”")
    TopicTagFactory(article=article)
    PersonTagFactory(article=article, evidence=[{"start": 0, "end": 5, "text": "First"}])
    workflow.publish(article, user=publisher, comment="Go")
    workflow.correct(article, user=publisher, text="Spelling fixed.")
    before = snapshot()
    assert before["articles.HistoricalArticle"] and TransitionLog.objects.exists()

    backup = tmp_path / "backup.xml"
    call_command("dumpdata", *BACKUP_ARGS, output=str(backup), stdout=io.StringIO())
    if connection.vendor == "postgresql":
        # The test runs inside a transaction; a restore starts from an empty database.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", "--no-input", verbosity=0)
    assert not Article.objects.exists()
    call_command("loaddata", str(backup), verbosity=0)

    assert snapshot() == before
    assert Article.objects.get().transitions.get().user.username == "publisher"
    # The facet index, derived data outside the models, follows the restore.
    from articles import facets

    person = article.person_tags.get().person
    everything = facets.FacetList(facets.Query(), "api")
    assert everything.ids(10) == [article.pk] and everything.count_at_most(10) == 1
    for few in (True, False):
        query = facets.Query().require(facets.record_token("person", person.pk))
        assert [row[0] for row in everything.index.page(query, everything.now, None, 10, 0, few=few)] == [
            article.pk]
