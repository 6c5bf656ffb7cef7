import pytest
from django.contrib.auth.models import AnonymousUser

from articles.api.permissions import is_staff, sees_unpublished
from articles.models import Article
from tests.factories import DraftFactory, UserFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


class TestWhoSeesWhat:
    def test_staff_with_the_view_permission_see_unpublished_articles(self, reporter, editor):
        assert sees_unpublished(reporter) and sees_unpublished(editor)

    def test_nobody_else_does(self):
        assert not sees_unpublished(AnonymousUser())
        assert not sees_unpublished(UserFactory(username="plain", is_staff=True))
        assert not sees_unpublished(UserFactory(username="member", is_staff=False,
                                                group="Editor"))
        assert not is_staff(UserFactory(username="gone", is_active=False, group="Editor"))

    def test_staff_without_the_view_permission_get_the_public_view(self, world):
        client = client_for(UserFactory(username="plain", is_staff=True))
        assert client.get(f"/api/v1/articles/{world.draft.slug}/").status_code == 404
        assert client.get("/api/v1/articles/?status=draft").status_code == 400


class TestCreating:
    def test_needs_the_add_permission(self, world):
        client = client_for(UserFactory(username="plain", is_staff=True))
        response = client.post("/api/v1/articles/", {"headline": "x"}, format="json")
        assert response.status_code == 403

    def test_needs_staff(self, world):
        client = client_for(UserFactory(username="member", is_staff=False, group="Reporter"))
        assert client.post("/api/v1/articles/", {"headline": "x"}, format="json").status_code == 403


class TestEditing:
    """workflow.can_edit decides, as in the admin."""

    def patch(self, client, article):
        return client.patch(f"/api/v1/articles/{article.slug}/", {"standfirst": "Changed."},
                            format="json", HTTP_IF_MATCH=str(article.version))

    def test_a_reporter_edits_their_own_drafts_only(self, as_reporter, own_draft, world):
        assert self.patch(as_reporter, own_draft).status_code == 200
        someone_elses = DraftFactory()
        response = self.patch(as_reporter, someone_elses)
        assert response.status_code == 403
        assert response.json()["detail"] == "You may not edit this article in its current state."

    def test_a_reporter_may_not_edit_their_draft_once_submitted(self, as_reporter, own_draft):
        Article.objects.filter(pk=own_draft.pk).update(status=Article.Status.REVIEW)
        own_draft.refresh_from_db()
        assert self.patch(as_reporter, own_draft).status_code == 403

    def test_an_editor_edits_unpublished_articles_not_live_ones(self, as_editor, own_draft,
                                                                 world):
        assert self.patch(as_editor, own_draft).status_code == 200
        assert self.patch(as_editor, world.visit).status_code == 403

    def test_a_publisher_edits_live_articles_but_not_killed_ones(self, as_publisher, world):
        assert self.patch(as_publisher, world.visit).status_code == 200
        Article.objects.filter(pk=world.budget.pk).update(status=Article.Status.KILLED)
        assert self.patch(as_publisher, world.budget).status_code == 403

    def test_anonymous_edits_are_401(self, api, world):
        assert self.patch(api, world.visit).status_code == 401


class TestCuration:
    def test_needs_curate_tags(self, as_reporter, as_editor, world):
        url = f"/api/v1/articles/{world.visit.slug}/tags/"
        assert as_reporter.get(url).status_code == 403
        assert as_reporter.get(url).json()["detail"] == "Only editors may curate tags."
        assert as_editor.get(url).status_code == 200
        accept = f"{url}people/{world.suggested.pk}/accept/"
        assert as_reporter.post(accept).status_code == 403

    def test_anonymous_curation_is_401(self, api, world):
        assert api.get(f"/api/v1/articles/{world.visit.slug}/tags/").status_code == 401


class TestTransitions:
    def test_anonymous_users_cannot_even_list_them(self, api, world):
        assert api.get(f"/api/v1/articles/{world.visit.slug}/transitions/").status_code == 401

    def test_what_a_publisher_may_do_with_a_live_article(self, as_publisher, world):
        response = as_publisher.get(f"/api/v1/articles/{world.visit.slug}/transitions/")
        assert [t["name"] for t in response.json()] == ["unpublish", "archive", "kill"]
