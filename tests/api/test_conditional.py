import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from articles import curation
from articles.api.conditional import expected_version
from articles.api.exceptions import PreconditionRequired

pytestmark = pytest.mark.django_db


def if_match(value):
    headers = {"HTTP_IF_MATCH": value} if value is not None else {}
    return Request(APIRequestFactory().patch("/", **headers))


class TestExpectedVersion:
    @pytest.mark.parametrize("header", ['"v7-0123abcd"', 'W/"v7-0123abcd"', '"v7"', "v7", "7",
                                        '"7"'])
    def test_an_etag_of_ours_or_a_version_number(self, header):
        assert expected_version(if_match(header)) == 7

    def test_none_is_428_when_required(self):
        with pytest.raises(PreconditionRequired):
            expected_version(if_match(None))
        assert expected_version(if_match(None), required=False) is None

    @pytest.mark.parametrize("header", ['"abc"', "v", "-1", "1.5", '"v1", "v2"', "9" * 12])
    def test_anything_else_is_400(self, header):
        with pytest.raises(ValidationError):
            expected_version(if_match(header))


class TestAnonymousReads:
    def test_etag_last_modified_and_304(self, api, world):
        first = api.get("/api/v1/articles/")
        assert first["ETag"] and first["Last-Modified"]
        again = api.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        assert again.content == b""
        since = api.get("/api/v1/articles/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304

    def test_a_change_to_public_content_changes_the_etag(self, api, editor, world):
        before = api.get(f"/api/v1/articles/{world.visit.slug}/")
        curation.accept(world.suggested, user=editor)
        after = api.get(f"/api/v1/articles/{world.visit.slug}/",
                        HTTP_IF_NONE_MATCH=before["ETag"])
        assert after.status_code == 200
        assert "only-in-drafts" in [p["slug"] for p in after.json()["people"]]

    def test_answers_are_served_from_the_page_cache(self, api, world, django_assert_num_queries):
        api.get("/api/v1/people/")
        with django_assert_num_queries(0):
            assert api.get("/api/v1/people/").status_code == 200

    def test_errors_are_not_cached(self, api, world):
        assert api.get("/api/v1/articles/?person=nobody").status_code == 400
        assert api.get("/api/v1/articles/?person=nobody").status_code == 400


class TestStaffReads:
    def test_private_etag_of_the_content_and_304(self, as_editor, world):
        first = as_editor.get("/api/v1/articles/?status=draft")
        assert "private" in first["Cache-Control"]
        assert first["ETag"]
        again = as_editor.get("/api/v1/articles/?status=draft", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304

    def test_staff_answers_never_reach_the_public_cache(self, api, as_editor, world):
        assert world.draft.slug in [a["slug"] for a in
                                    as_editor.get("/api/v1/articles/?status=draft").json()["results"]]
        assert api.get("/api/v1/articles/?status=draft").status_code == 400

    def test_the_article_etag_carries_its_version_and_changes_with_its_tags(self, as_editor,
                                                                           editor, world):
        first = as_editor.get(f"/api/v1/articles/{world.visit.slug}/")
        assert first["ETag"].startswith('"v1-')
        curation.accept(world.suggested, user=editor)
        second = as_editor.get(f"/api/v1/articles/{world.visit.slug}/",
                               HTTP_IF_NONE_MATCH=first["ETag"])
        assert second.status_code == 200
        # A tag decision is an edit (curation.record_tag_decision bumps the version).
        assert second["ETag"].startswith('"v2-') and second["ETag"] != first["ETag"]

    def test_an_etag_read_before_a_tag_decision_is_stale(self, as_publisher, editor, world):
        # A form opened before the decision must not silently undo it.
        etag = as_publisher.get(f"/api/v1/articles/{world.visit.slug}/")["ETag"]
        curation.accept(world.suggested, user=editor)
        response = as_publisher.patch(f"/api/v1/articles/{world.visit.slug}/",
                                      {"standfirst": "Not mine to change."}, format="json",
                                      HTTP_IF_MATCH=etag)
        assert response.status_code == 412
        world.visit.refresh_from_db()
        assert world.visit.standfirst != "Not mine to change."
