"""Production settings, response headers, login rate limiting, hostile content
on the public pages, in the JSON-LD, the feeds, the API and the admin."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.factories import (
    ArticleFactory,
    PersonFactory,
    PersonTagFactory,
    TopicFactory,
    TopicTagFactory,
    UserFactory,
)

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


# --- Hostile names and aliases on every surface ----------------------------------

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture
def hostile_world(db):
    person = PersonFactory(name=f"Person {HOSTILE}")
    person.aliases.create(name=f"Alias {HOSTILE}")
    topic = TopicFactory(name=f"Topic {HOSTILE}")
    article = ArticleFactory(headline=f"Story {HOSTILE}", body=f"Body {HOSTILE}")
    PersonTagFactory(article=article, person=person, relation="about")
    TopicTagFactory(article=article, topic=topic)
    return {"person": person, "topic": topic, "article": article}


def assert_inert_html(content: str, where: str) -> None:
    assert "<script>alert(1)</script>" not in content, where
    assert "<b>bold</b>" not in content, where
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, where
    assert "{{ request.user }}" in content, f"{where}: template syntax in data was evaluated"
    for block in LD_JSON.findall(content):
        json.loads(block)  # the data did not end the script element early
        assert "</" not in block, where


def test_hostile_names_and_aliases_are_inert_on_the_public_pages(client, hostile_world):
    person, topic, article = hostile_world["person"], hostile_world["topic"], hostile_world["article"]
    for url in [person.get_absolute_url(), topic.get_absolute_url(), article.get_absolute_url(),
                "/people/", "/topics/", "/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert_html(response.content.decode(), url)
    page = client.get(person.get_absolute_url()).content.decode()
    # The page does not list aliases today; if it ever does, escaped.
    assert f"Alias {HOSTILE}" not in page
    ld = [json.loads(b) for b in LD_JSON.findall(client.get(article.get_absolute_url())
                                                 .content.decode())]
    names = json.dumps(ld)
    assert json.dumps(person.name)[1:-1] in names, "JSON-LD keeps the name, as data"


@pytest.mark.parametrize("feed", ["person", "topic", "latest"])
def test_hostile_names_are_inert_in_the_feeds(client, hostile_world, feed):
    url = {"person": f"/feeds/people/{hostile_world['person'].slug}/",
           "topic": f"/feeds/topics/{hostile_world['topic'].slug}/",
           "latest": "/feeds/latest/"}[feed]
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # still well-formed XML
    # Readers treat an item's title as HTML: it is escaped before the XML
    # writer escapes it again, so that it reads as the text it is.
    assert root.findtext("channel/item/title") == escape(f"Story {HOSTILE}")
    assert b"<script>" not in response.content and b"<b>bold</b>" not in response.content
    # So are the channel's title and description, and the categories (topic names).
    texts = [el.text or "" for el in root.iter()
             if el.tag in {"title", "description", "category", "author"}]
    assert not [t for t in texts if "<script" in t or "<b>" in t], texts
    assert any(escape(f"Topic {HOSTILE}") in t for t in texts)


def test_hostile_aliases_are_plain_data_in_the_api(client, hostile_world, settings):
    settings.API_ANON_RATE = None
    response = client.get(f"/api/v1/people/{hostile_world['person'].slug}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f"Alias {HOSTILE}" in json.dumps(response.json()["aliases"])
    assert response.json()["name"] == f"Person {HOSTILE}"


def test_hostile_aliases_are_inert_in_the_admin(client, hostile_world):
    client.force_login(UserFactory(username="root", is_superuser=True))
    person = hostile_world["person"]
    for url in [reverse("admin:articles_person_change", args=[person.pk]),
                reverse("admin:articles_person_changelist"),
                reverse("admin:articles_topic_changelist")]:
        content = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in content, url
        assert "<b>bold</b>" not in content, url
    change = client.get(reverse("admin:articles_person_change", args=[person.pk])).content.decode()
    assert "Alias &lt;/script&gt;&lt;script&gt;alert(1)" in change
