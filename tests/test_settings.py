import importlib

import pytest


def load_settings(monkeypatch, **env):
    for name in ["DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import newsroom.settings

    return importlib.reload(newsroom.settings)


@pytest.fixture(autouse=True)
def restore_settings_module():
    yield
    import newsroom.settings

    importlib.reload(newsroom.settings)


def test_default_database_is_sqlite_in_wal_mode_with_a_busy_timeout(monkeypatch):
    settings = load_settings(monkeypatch)
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert str(db["NAME"]).endswith("db.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 5


def test_database_url_selects_postgresql(monkeypatch):
    settings = load_settings(monkeypatch, DATABASE_URL="postgres://editor:pw@db.example:5433/news")
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["HOST"], db["PORT"]) == ("news", "editor", "db.example", 5433)


def test_debug_is_off_unless_asked(monkeypatch):
    assert load_settings(monkeypatch).DEBUG is False
    assert load_settings(monkeypatch, DEBUG="0").DEBUG is False
    assert load_settings(monkeypatch, DEBUG="1").DEBUG is True


def test_secret_key_and_hosts_come_from_the_environment(monkeypatch):
    settings = load_settings(monkeypatch, SECRET_KEY="s" * 60, ALLOWED_HOSTS="news.example, www.news.example")
    assert settings.SECRET_KEY == "s" * 60
    assert settings.ALLOWED_HOSTS == ["news.example", "www.news.example"]
    assert settings.USE_TZ is True


def test_deploy_check_refuses_the_development_secret_key(settings):
    from newsroom.checks import secret_key_is_set

    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    assert [e.id for e in secret_key_is_set(None)] == ["newsroom.E001"]
    settings.SECRET_KEY = "x" * 60
    assert secret_key_is_set(None) == []


@pytest.mark.django_db
def test_the_database_in_use_answers(django_db_setup):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone() == (1,)
