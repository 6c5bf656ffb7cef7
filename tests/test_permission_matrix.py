"""Role × operation, through the admin and through the API alike: each
channel allows exactly what the roles allow, and refuses the rest."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article, ArticlePerson, Correction, Person, TagState
from tests.factories import (
    ArticleFactory,
    DateMentionFactory,
    PersonFactory,
    PersonTagFactory,
    TopicTagFactory,
    UserFactory,
)
from tests.test_admin import article_form_data, change_url

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


# --- More of the matrix: scheduling, corrections, merges, tags, dates, creation, edits --

PUBLISHERS = {"publisher", "admin"}
CURATORS = {"editor", "publisher", "admin"}
STAFF = {"reporter", "other_reporter", "editor", "publisher", "admin"}
# Who may edit an article in each state (the reporter wrote it): workflow.can_edit.
EDITORS_BY_STATE = {
    S.DRAFT: {"reporter", *CURATORS},
    S.REVIEW: CURATORS, S.APPROVED: CURATORS, S.UNPUBLISHED: CURATORS,
    S.PUBLISHED: PUBLISHERS, S.ARCHIVED: PUBLISHERS,
    S.KILLED: {"admin"},  # a superuser may do everything, even this
}


def admin_transition(admin, article, name, **fields):
    return admin.post(reverse("admin:articles_article_transition", args=[article.pk]),
                      {"transition": name, **fields})


@pytest.mark.parametrize("role", ROLES)
def test_scheduling(people, settings, role):
    settings.API_ANON_RATE = None
    allowed = role in PUBLISHERS
    admin, api = clients(role, people)
    later = timezone.now() + datetime.timedelta(days=2)

    via_admin = article_in(S.APPROVED, people)
    admin_transition(admin, via_admin, "schedule", workflow_at=later.strftime("%Y-%m-%dT%H:%M"))
    via_api = article_in(S.APPROVED, people)
    response = api.post(f"/api/v1/articles/{via_api.slug}/transitions/",
                        {"to": "published", "at": later.isoformat()}, format="json")
    for channel, article in (("admin", via_admin), ("api", via_api)):
        article.refresh_from_db()
        scheduled = article.status == S.PUBLISHED and article.published_at > timezone.now()
        assert scheduled is allowed, (channel, role)
        assert not article.is_live, (channel, role)
    assert (response.status_code == 200) is allowed, (role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_appending_a_correction(people, role):
    """The admin only: the API has no correction endpoint."""
    allowed = role in PUBLISHERS
    admin, _ = clients(role, people)
    article = article_in(S.PUBLISHED, people)
    admin_transition(admin, article, "correct", workflow_comment="The minister's name was wrong.")
    assert Correction.objects.filter(article=article).exists() is allowed, role


@pytest.mark.parametrize("role", ROLES)
def test_merging_two_people(people, role):
    """The admin only (the person admin's action): the API reads people."""
    allowed = role in CURATORS
    admin, _ = clients(role, people)
    survivor, duplicate = PersonFactory(name="Hun Sen"), PersonFactory(name="Samdech Hun Sen")
    admin.post(reverse("admin:articles_person_changelist"), {
        "action": "merge_selected", "_selected_action": [survivor.pk, duplicate.pk],
        "survivor": survivor.pk})
    assert (not Person.objects.filter(pk=duplicate.pk).exists()) is allowed, role


@pytest.mark.parametrize("role", ROLES)
def test_rejecting_a_suggestion(people, settings, role):
    settings.API_ANON_RATE = None
    allowed = role in CURATORS
    admin, api = clients(role, people)
    article = article_in(S.REVIEW, people)
    first = PersonTagFactory(article=article, state=TagState.SUGGESTED)
    second = PersonTagFactory(article=article, state=TagState.SUGGESTED)
    admin.post(reverse("admin:articles_article_decide",
                       args=[article.pk, "people", first.pk, "reject"]))
    api.post(f"/api/v1/articles/{article.slug}/tags/people/{second.pk}/reject/")
    for channel, tag in (("admin", first), ("api", second)):
        assert (ArticlePerson.objects.get(pk=tag.pk).state == TagState.REJECTED) is allowed, (
            channel, role)


@pytest.mark.parametrize("role", ROLES)
def test_adding_a_tag_by_hand(people, settings, role):
    settings.API_ANON_RATE = None
    allowed = role in CURATORS
    admin, api = clients(role, people)
    article = article_in(S.DRAFT, people)
    by_admin, by_api = PersonFactory(name="Added In Admin"), PersonFactory(name="Added By Api")
    admin.post(change_url(article), article_form_data(article, **{
        "person_tags-TOTAL_FORMS": 1, "person_tags-0-person": by_admin.pk,
        "person_tags-0-relation": "about", "person_tags-0-state": TagState.ACCEPTED,
        "person_tags-0-confidence": ""}))
    api.post(f"/api/v1/articles/{article.slug}/tags/people/", {"person": by_api.slug},
             format="json")
    for channel, person in (("admin", by_admin), ("api", by_api)):
        added = ArticlePerson.objects.filter(article=article, person=person).exists()
        assert added is allowed, (channel, role)


@pytest.mark.parametrize("role", ROLES)
def test_correcting_a_date(people, settings, role):
    settings.API_ANON_RATE = None
    allowed = role in CURATORS
    admin, api = clients(role, people)
    article = article_in(S.DRAFT, people)
    in_admin = DateMentionFactory(article=article, text="early July", state=TagState.SUGGESTED)
    in_api = DateMentionFactory(article=article, text="that week", state=TagState.SUGGESTED)
    admin.post(change_url(article), article_form_data(article, **{
        "date_mentions-TOTAL_FORMS": 1, "date_mentions-INITIAL_FORMS": 1,
        "date_mentions-0-id": in_admin.pk, "date_mentions-0-article": article.pk,
        "date_mentions-0-text": in_admin.text, "date_mentions-0-date_from": "2024-07-01",
        "date_mentions-0-date_to": "2024-07-10", "date_mentions-0-precision": "day",
        "date_mentions-0-value": "2024-07-01", "date_mentions-0-mod": "START",
        "date_mentions-0-label": "", "date_mentions-0-state": TagState.ACCEPTED,
        "date_mentions-0-confidence": ""}))
    api.patch(f"/api/v1/articles/{article.slug}/tags/dates/{in_api.pk}/",
              {"date_to": "2024-07-10"}, format="json")
    for channel, mention in (("admin", in_admin), ("api", in_api)):
        mention.refresh_from_db()
        assert (mention.date_to == datetime.date(2024, 7, 10)) is allowed, (channel, role)


@pytest.mark.parametrize("role", ROLES)
def test_creating_an_article(people, settings, role):
    settings.API_ANON_RATE = None
    allowed = role in STAFF
    admin, api = clients(role, people)
    page = admin.get(reverse("admin:articles_article_add"))
    assert (page.status_code == 200 and 'name="headline"' in page.content.decode()) is allowed
    response = api.post("/api/v1/articles/", {"headline": f"Created by {role}"}, format="json")
    assert Article.objects.filter(headline=f"Created by {role}").exists() is allowed, role
    assert response.status_code == (201 if allowed else 401), role


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(EDITORS_BY_STATE))
def test_editing_an_article_in_each_state(people, settings, role, state):
    settings.API_ANON_RATE = None
    allowed = role in EDITORS_BY_STATE[state]
    admin, api = clients(role, people)
    article = article_in(state, people)
    response = api.patch(f"/api/v1/articles/{article.slug}/", {"headline": f"Edited by {role}"},
                         format="json", HTTP_IF_MATCH=str(article.version))
    assert (Article.objects.get(pk=article.pk).headline == f"Edited by {role}") is allowed, (
        "api", role, state, response.status_code)
    if role != "anonymous":
        page = admin.get(change_url(article))
        assert ('name="headline"' in page.content.decode()) is allowed, ("admin", role, state)
        admin.post(change_url(article), article_form_data(
            Article.objects.get(pk=article.pk), headline=f"Admin edit by {role}"))
        saved = Article.objects.get(pk=article.pk).headline == f"Admin edit by {role}"
        assert saved is allowed, ("admin save", role, state)
