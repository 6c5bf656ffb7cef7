"""Production settings, response headers, login rate limiting, hostile content in the admin."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, PersonFactory, PersonTagFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "</script><script>alert(1)</script>{{ request.user }}<b>bold</b>"


def manage(*args, **env):
    unset = {"SECRET_KEY", "DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in unset}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_production_configuration():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    SECRET_KEY="k" * 20 + "-production-secret-not-in-the-repo-" + "z" * 20,
                    HTTPS="1", ALLOWED_HOSTS="news.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_refuses_the_development_key_and_plain_http():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "newsroom.E001" in output and "security.W008" in output  # no SSL redirect


def test_no_secret_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    for name in tracked:
        path = ROOT / name
        if path.suffix not in {".py", ".toml", ".md", ".txt", ".json", ".cfg", ".ini", ".env"}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        assert "BEGIN " + "PRIVATE KEY" not in text, name  # spelt in two so this file passes
        for line in text.splitlines():
            if line.strip().startswith("SECRET_KEY =") and name != "newsroom/settings.py":
                pytest.fail(f"{name} assigns a SECRET_KEY")


@pytest.mark.django_db
def test_security_headers_on_pages_and_api(client):
    for url in ["/", "/api/v1/articles/", "/admin/login/"]:
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, url
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


@pytest.mark.django_db
def test_https_mode_redirects_and_sends_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    secure = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert "max-age=31536000" in secure["Strict-Transport-Security"]


@pytest.mark.django_db
def test_admin_logins_are_rate_limited(client, settings):
    UserFactory(username="editor", password="the-right-password", group="Editor")
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "editor", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post(url, {"username": "editor", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "editor", "password": "the-right-password"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_hostile_text_is_inert_in_the_admin(client):
    article = ArticleFactory(headline=HOSTILE, body=f"Body {HOSTILE}", standfirst=HOSTILE)
    PersonTagFactory(article=article, person=PersonFactory(name=f"Name {HOSTILE}"),
                     state="suggested", evidence=[{"start": 5, "end": 14, "text": "</script"}])
    client.force_login(UserFactory(username="root", is_superuser=True))
    for url in [reverse("admin:articles_article_changelist"),
                reverse("admin:articles_article_change", args=[article.pk]),
                reverse("admin:articles_person_changelist")]:
        content = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in content, url
        assert "<b>bold</b>" not in content, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, url
