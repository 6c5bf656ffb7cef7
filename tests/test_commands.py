import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_refused_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing with DEBUG off"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.exists()


def test_demo_accounts_get_their_roles(settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    users = {u.username: u for u in get_user_model().objects.prefetch_related("groups")}
    assert [g.name for g in users["reporter"].groups.all()] == ["Reporter"]
    assert [g.name for g in users["editor"].groups.all()] == ["Editor"]
    assert users["publisher"].has_perm("articles.publish_article")
    assert users["admin"].is_superuser
    assert all(u.is_staff and u.check_password("newsroom-demo") for u in users.values())
    assert "newsroom-demo" in capsys.readouterr().out
    call_command("create_demo_accounts")  # running it again resets, never duplicates
    assert get_user_model().objects.count() == 4


def test_seed_demo_loads_the_seed_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert Article.objects.count() == 5
    Article.objects.update(headline="Edited by the desk")
    call_command("seed_demo")
    assert set(Article.objects.values_list("headline", flat=True)) == {"Edited by the desk"}


def test_seed_demo_leaves_an_existing_newsroom_alone(settings, capsys):
    settings.DEBUG = True
    ArticleFactory()
    call_command("seed_demo")
    assert Article.objects.count() == 1
    assert "not loaded again" in capsys.readouterr().out


def test_groups_come_from_the_migration():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"Reporter", "Editor", "Publisher"}
    reporter = Group.objects.get(name="Reporter").permissions.values_list("codename", flat=True)
    assert "add_article" in reporter and "publish_article" not in reporter


def test_seed_demo_gives_every_loaded_object_a_first_revision(settings, client):
    from django.urls import reverse

    from articles.models import ArticlePerson, DateMention
    from tests.factories import UserFactory

    settings.DEBUG = True
    call_command("seed_demo")
    for model in [Article, ArticlePerson, DateMention]:
        assert model.history.filter(history_type="+").count() == model.objects.count() > 0, model
    first = Article.history.filter(history_type="+").first()
    assert first.history_change_reason == "Loaded from the seed"
    # Compare revisions has a starting point on every seed article at once.
    client.force_login(UserFactory(username="root", is_superuser=True))
    for article in Article.objects.all():
        response = client.get(reverse("admin:articles_article_compare", args=[article.pk]))
        assert response.status_code == 200 and "No revisions yet" not in response.content.decode()
    call_command("seed_demo")  # a second run records nothing twice
    assert Article.history.count() == Article.objects.count()


@pytest.mark.django_db
def test_optimize_indexes_merges_and_refreshes_statistics(capsys):
    from django.db import connection

    ArticleFactory()
    call_command("optimize_indexes")
    out = capsys.readouterr().out
    merged = [line.split(":")[0] for line in out.splitlines() if "segment" in line]
    if connection.vendor == "sqlite":
        assert merged == ["articles_article_fts", "articles_facet_fts"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'articles_articlecoverage'")
            assert cursor.fetchone()[0] > 0
    else:
        assert merged == []
    assert "Indexes optimized in" in out


def test_optimize_indexes_names_an_unknown_database():
    with pytest.raises(CommandError, match="No database 'nowhere'"):
        call_command("optimize_indexes", "--database", "nowhere")
