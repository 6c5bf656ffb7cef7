import importlib

import pytest
from django.core.signals import request_started
from django.db import close_old_connections, connections, transaction

from articles.models import Article, Person
from newsroom import routers
from newsroom.routers import PrimaryReplicaRouter


@pytest.fixture
def router():
    routers.forget_writes()
    yield PrimaryReplicaRouter()
    routers.forget_writes()


@pytest.fixture
def replica(monkeypatch):
    """As if DATABASE_REPLICA_URL were set (the router only asks whether it is)."""
    monkeypatch.setattr(routers, "has_replica", lambda: True)


@pytest.fixture
def settings_with(monkeypatch):
    """The settings module as computed from an environment (reloaded back after)."""
    import newsroom.settings

    def load(**env):
        for name in ("DATABASE_URL", "DATABASE_REPLICA_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(newsroom.settings)

    yield load
    monkeypatch.undo()
    importlib.reload(newsroom.settings)


class TestWithoutReplica:
    def test_the_router_is_inert(self, router):
        assert router.db_for_read(Article) is None
        assert router.db_for_write(Article) is None
        assert router.allow_relation(Article(), Person()) is None
        assert router.allow_migrate("default", "articles") is None

    def test_settings_configure_no_replica(self, settings_with):
        configured = settings_with(DATABASE_URL="postgres://u@db.example/news")
        assert set(configured.DATABASES) == {"default"}
        assert configured.DATABASE_ROUTERS == ["newsroom.routers.PrimaryReplicaRouter"]

    @pytest.mark.django_db
    def test_everything_uses_the_default_database(self):
        article = Article.objects.create(headline="Only one database")
        assert article._state.db == "default"
        assert Article.objects.all().db == "default"


class TestWithReplica:
    def test_settings_add_the_replica_mirrored_in_tests(self, settings_with):
        configured = settings_with(DATABASE_URL="postgres://u@primary.example/news",
                                   DATABASE_REPLICA_URL="postgres://u@replica.example/news")
        replica = configured.DATABASES["replica"]
        assert (replica["HOST"], replica["NAME"]) == ("replica.example", "news")
        assert replica["TEST"] == {"MIRROR": "default"}
        assert configured.DATABASES["default"]["HOST"] == "primary.example"

    def test_reads_go_to_the_replica_and_writes_to_the_primary(self, router, replica):
        assert router.db_for_read(Article) == "replica"
        assert router.db_for_write(Article) == "default"

    def test_reads_after_a_write_go_to_the_primary_until_the_next_request(self, router, replica):
        router.db_for_write(Article)
        assert router.db_for_read(Person) == "default"
        # As the test client does: the request starts without touching connections.
        request_started.disconnect(close_old_connections)
        try:
            request_started.send(sender=None)
        finally:
            request_started.connect(close_old_connections)
        assert router.db_for_read(Person) == "replica"

    def test_reads_inside_a_transaction_go_to_the_primary(self, router, replica):
        connection = connections["default"]
        connection.in_atomic_block, saved = True, connection.in_atomic_block
        try:
            assert router.db_for_read(Article) == "default"
        finally:
            connection.in_atomic_block = saved

    @pytest.mark.django_db
    def test_related_reads_of_a_primary_instance_stay_on_the_primary(self, router, replica):
        article = Article(headline="From the primary")
        article._state.db = "default"
        assert router.db_for_read(Person, instance=article) == "default"

    def test_migrations_run_on_the_primary_only(self, router, replica):
        assert router.allow_migrate("default", "articles") is True
        assert router.allow_migrate("replica", "articles") is False

    def test_objects_of_both_databases_may_be_related(self, router, replica):
        article, person = Article(), Person()
        article._state.db, person._state.db = "default", "replica"
        assert router.allow_relation(article, person) is True

    @pytest.mark.django_db
    def test_a_transaction_reads_its_own_writes(self, replica):
        with transaction.atomic():
            Article.objects.create(headline="Written and read in one transaction")
            assert Article.objects.all().db == "default"
            assert Article.objects.filter(headline__startswith="Written").exists()
