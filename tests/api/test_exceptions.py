import pytest
from django.core.exceptions import ValidationError as DjangoValidationError

from articles.api.exceptions import field_errors, translate
from articles.workflow import GuardFailed, StaleVersion, TransitionForbidden, TransitionNotAllowed

pytestmark = pytest.mark.django_db


class TestTranslation:
    @pytest.mark.parametrize("error, status", [
        (TransitionNotAllowed("no"), 409), (GuardFailed(["a", "b"]), 409),
        (TransitionForbidden("no"), 403), (StaleVersion("old"), 412),
        (DjangoValidationError({"value": "bad"}), 400),
    ])
    def test_workflow_and_model_errors_have_their_status(self, error, status):
        assert translate(error).status_code == status

    def test_a_guard_keeps_its_problems(self):
        assert translate(GuardFailed(["No body.", "No source."])).problems == ["No body.",
                                                                              "No source."]

    def test_nested_errors_are_flattened_with_dotted_names(self):
        assert field_errors({"a": {"b": ["x"]}, "c": [{}, {"d": ["y"]}], "e": ["z"]}) == {
            "a.b": ["x"], "c.1.d": ["y"], "e": ["z"]}
        assert field_errors(["not about one field"]) == {
            "non_field_errors": ["not about one field"]}


class TestShapes:
    def test_malformed_json_is_400_with_a_detail(self, as_reporter, world):
        response = as_reporter.post("/api/v1/articles/", data='{"headline": ',
                                    content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"
        assert response.json()["detail"].startswith("JSON parse error")

    def test_a_body_that_is_not_json_is_415(self, as_reporter, world):
        response = as_reporter.post("/api/v1/articles/", data="headline=x",
                                    content_type="application/x-www-form-urlencoded")
        assert response.status_code == 415
        assert response.json()["code"] == "unsupported_media_type"

    def test_a_json_body_that_is_not_an_object(self, as_reporter, world):
        response = as_reporter.post("/api/v1/articles/", data="[1, 2]",
                                    content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": [
            "Invalid data. Expected a dictionary, but got list."]}

    def test_unknown_query_parameters_are_named(self, api, world):
        response = api.get("/api/v1/articles/?persn=hun-sen&page=1")
        assert response.status_code == 400
        assert response.json() == {"persn": ["Unknown query parameter."]}

    def test_details_take_no_list_parameters(self, api, world):
        response = api.get(f"/api/v1/articles/{world.visit.slug}/?person=hun-sen")
        assert response.json() == {"person": ["Unknown query parameter."]}

    def test_null_characters_are_refused(self, api, world):
        response = api.get("/api/v1/articles/?q=a%00b")
        assert response.json() == {"q": ["Null characters are not allowed."]}

    def test_a_slug_with_a_null_character_is_not_found(self, as_editor, world):
        response = as_editor.post(f"/api/v1/articles/{world.visit.slug}/tags/people/",
                                  {"person": "a\x00b"}, format="json")
        assert response.json() == {"person": ["Unknown person: 'a\x00b'."]}

    def test_an_out_of_range_id_is_a_404(self, as_editor, world):
        response = as_editor.post(f"/api/v1/articles/{world.visit.slug}/tags/people/"
                                  f"{'9' * 30}/accept/")
        assert response.status_code == 404

    def test_a_method_that_is_not_offered(self, as_publisher, world):
        response = as_publisher.delete(f"/api/v1/articles/{world.visit.slug}/")
        assert response.status_code == 405
        assert response.json()["code"] == "method_not_allowed"
