import importlib

import pytest


def load_settings(monkeypatch, **env):
    for name in ["DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PG_PARALLEL_WORKERS",
                 "DATABASE_PREPARED_STATEMENTS", "DATABASE_GENERIC_PLANS"]:
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


def test_sqlite_connections_persist_between_requests_as_postgresqls_do(monkeypatch):
    for env in ({}, {"DATABASE_URL": "postgres://editor:pw@db.example:5433/news"}):
        db = load_settings(monkeypatch, **env).DATABASES["default"]
        assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"], db["ENGINE"]
    assert load_settings(monkeypatch, CONN_MAX_AGE="0").DATABASES["default"]["CONN_MAX_AGE"] == 0


def test_database_url_selects_postgresql(monkeypatch):
    settings = load_settings(monkeypatch, DATABASE_URL="postgres://editor:pw@db.example:5433/news")
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["HOST"], db["PORT"]) == ("news", "editor", "db.example", 5433)


def test_postgresql_queries_run_without_jit_nor_parallel_workers_unless_asked(monkeypatch):
    url = "postgres://editor:pw@db.example:5433/news"
    db = load_settings(monkeypatch, DATABASE_URL=url).DATABASES["default"]
    assert db["OPTIONS"]["options"].startswith("-c max_parallel_workers_per_gather=0 -c jit=off")
    db = load_settings(monkeypatch, DATABASE_URL=url, PG_PARALLEL_WORKERS="2").DATABASES["default"]
    assert db["OPTIONS"]["options"].startswith("-c max_parallel_workers_per_gather=2 -c jit=off")


def test_postgresql_prepares_statements_with_their_generic_plans_unless_told_not_to(monkeypatch):
    url = "postgres://editor:pw@db.example:5433/news"
    db = load_settings(monkeypatch, DATABASE_URL=url).DATABASES["default"]
    assert db["OPTIONS"]["prepare_threshold"] == 5
    assert db["OPTIONS"]["options"].endswith(" -c plan_cache_mode=force_generic_plan")
    db = load_settings(monkeypatch, DATABASE_URL=url, DATABASE_GENERIC_PLANS="0").DATABASES["default"]
    assert db["OPTIONS"]["prepare_threshold"] == 5 and "plan_cache_mode" not in db["OPTIONS"]["options"]
    db = load_settings(monkeypatch, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="0").DATABASES["default"]
    assert "prepare_threshold" not in db["OPTIONS"]
    assert "plan_cache_mode" not in db["OPTIONS"]["options"]
    assert "prepare_threshold" not in load_settings(monkeypatch).DATABASES["default"]["OPTIONS"]


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
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone() == ("0",)
            cursor.execute("SHOW jit")
            assert cursor.fetchone() == ("off",)


def test_with_debug_off_whitenoise_serves_hashed_static_files(monkeypatch):
    monkeypatch.delenv("STATIC_MANIFEST", raising=False)
    settings = load_settings(monkeypatch, DEBUG="0")
    middleware = settings.MIDDLEWARE
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in middleware
    # Right after SecurityMiddleware, as whitenoise asks: static files skip the rest.
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == (
        middleware.index("django.middleware.security.SecurityMiddleware") + 1)
    assert settings.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage")


def test_debug_or_static_manifest_0_serves_static_files_unhashed(monkeypatch):
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert load_settings(monkeypatch, DEBUG="1").STORAGES["staticfiles"]["BACKEND"] == plain
    assert load_settings(monkeypatch, DEBUG="0", STATIC_MANIFEST="0").STORAGES[
        "staticfiles"]["BACKEND"] == plain


def test_the_print_stylesheet_hides_navigation_and_is_linked_from_every_page():
    import re

    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    start = css.index("@media print")
    block, depth = "", 0
    for char in css[css.index("{", start):]:
        depth += {"{": 1, "}": -1}.get(char, 0)
        block += char
        if depth == 0:
            break
    hidden = " ".join(re.findall(r"([^{}]+)\{[^{}]*display:\s*none", block))
    for selector in (".site-nav", ".skip-link", ".site-search", ".site-footer"):
        assert selector in hidden, f"print does not hide {selector}"
    base = (settings.BASE_DIR / "templates" / "base.html").read_text()
    assert re.search(r"""<link rel="stylesheet" href="\{% static 'css/site.css' %\}"(?! media)""",
                     base), "base.html must link site.css for every medium, print included"
