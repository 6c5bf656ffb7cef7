import pytest


@pytest.fixture
def seed(db):
    """The five curated seed articles, as a newcomer gets them."""
    from django.core.management import call_command

    call_command("loaddata", "seed", verbosity=0)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default hasher is slow by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (presence, public page cache)."""
    from django.core.cache import caches

    from articles.cache import local

    for cache in caches.all():
        cache.clear()
    local.forget()  # and each process's first level
    yield


@pytest.fixture(autouse=True)
def no_renditions_pending():
    """Renditions wait for a commit that a test's transaction never makes:
    none carries over from one test to the next."""
    from articles import renditions

    renditions.discard_pending()
    yield


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render pages without collectstatic, so without a manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
