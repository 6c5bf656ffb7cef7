"""Role × operation, through the admin and through the API alike: each
channel allows exactly what the roles allow, and refuses the rest."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article, ArticlePerson, TagState
from tests.factories import ArticleFactory, PersonTagFactory, TopicTagFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Article.Status
ROLES = ["anonymous", "reporter", "other_reporter", "editor", "publisher", "admin"]
# operation: (starting state, target state for the API, admin transition name)
TRANSITIONS = {
    "submit": (S.DRAFT, "review"), "request_changes": (S.REVIEW, "draft"),
    "approve": (S.REVIEW, "approved"), "publish": (S.APPROVED, "published"),
    "unpublish": (S.PUBLISHED, "unpublished"), "archive": (S.PUBLISHED, "archived"),
    "reopen": (S.UNPUBLISHED, "draft"), "kill": (S.PUBLISHED, "killed"),
}
ALLOWED = {
    "anonymous": set(),
    "reporter": {"submit", "edit_draft"},
    "other_reporter": set(),
    "editor": {"submit", "request_changes", "approve", "reopen", "edit_draft", "decide_tag"},
    "publisher": {*TRANSITIONS, "edit_draft", "decide_tag"},
    "admin": {*TRANSITIONS, "edit_draft", "decide_tag"},
}


@pytest.fixture
def people():
    users = {
        "reporter": UserFactory(username="reporter", group="Reporter"),
        "other_reporter": UserFactory(username="other", group="Reporter"),
        "editor": UserFactory(username="editor", group="Editor"),
        "publisher": UserFactory(username="publisher", group="Publisher"),
        "admin": UserFactory(username="admin", is_superuser=True),
    }
    return users


def clients(role, users):
    admin, api = Client(), APIClient()
    if role != "anonymous":
        admin.force_login(users[role])
        token, _ = Token.objects.get_or_create(user=users[role])
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return admin, api


def article_in(state, users):
    article = ArticleFactory(status=state, created_by=users["reporter"])
    TopicTagFactory(article=article)
    return article


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_transitions_in_the_admin_and_the_api(people, settings, role, name):
    settings.API_ANON_RATE = None
    state, target = TRANSITIONS[name]
    allowed = name in ALLOWED[role]
    admin, api = clients(role, people)

    via_admin = article_in(state, people)
    admin.post(reverse("admin:articles_article_transition", args=[via_admin.pk]),
               {"transition": name, "workflow_comment": "Because."})
    assert (Article.objects.get(pk=via_admin.pk).status == target) is allowed, ("admin", role, name)

    via_api = article_in(state, people)
    response = api.post(f"/api/v1/articles/{via_api.slug}/transitions/",
                        {"to": target, "comment": "Because."}, format="json")
    assert (Article.objects.get(pk=via_api.pk).status == target) is allowed, ("api", role, name)
    if allowed:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code in (401, 403, 404), (role, name, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_editing_a_reporters_draft(people, settings, role):
    settings.API_ANON_RATE = None
    allowed = "edit_draft" in ALLOWED[role]
    admin, api = clients(role, people)
    draft = article_in(S.DRAFT, people)
    api.patch(f"/api/v1/articles/{draft.slug}/", {"headline": f"API edit by {role}"}, format="json",
              HTTP_IF_MATCH=str(draft.version))
    assert (Article.objects.get(pk=draft.pk).headline == f"API edit by {role}") is allowed, role
    if role == "anonymous":
        response = admin.get(reverse("admin:articles_article_change", args=[draft.pk]))
        assert response.status_code == 302  # to the login page
    else:
        page = admin.get(reverse("admin:articles_article_change", args=[draft.pk]))
        editable = 'name="headline"' in page.content.decode()
        assert editable is allowed, role


@pytest.mark.parametrize("role", ROLES)
def test_deciding_on_a_suggestion(people, settings, role):
    settings.API_ANON_RATE = None
    allowed = "decide_tag" in ALLOWED[role]
    admin, api = clients(role, people)
    article = article_in(S.REVIEW, people)
    first = PersonTagFactory(article=article, state=TagState.SUGGESTED)
    second = PersonTagFactory(article=article, state=TagState.SUGGESTED)
    admin.post(reverse("admin:articles_article_decide", args=[article.pk, "people", first.pk, "accept"]))
    api.post(f"/api/v1/articles/{article.slug}/tags/people/{second.pk}/accept/")
    for tag in (first, second):
        assert (ArticlePerson.objects.get(pk=tag.pk).state == TagState.ACCEPTED) is allowed, role
