import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    response = api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_the_schema_is_valid_and_generated_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_every_endpoint_is_described(schema):
    described = {(method, path) for method, path, _ in operations(schema)}
    assert described == {
        ("GET", "/api/v1/articles/"), ("POST", "/api/v1/articles/"),
        ("GET", "/api/v1/articles/{slug}/"), ("PATCH", "/api/v1/articles/{slug}/"),
        ("GET", "/api/v1/articles/{slug}/transitions/"),
        ("POST", "/api/v1/articles/{slug}/transitions/"),
        ("GET", "/api/v1/articles/{slug}/tags/"),
        ("POST", "/api/v1/articles/{slug}/tags/{kind}/"),
        ("POST", "/api/v1/articles/{slug}/tags/{kind}/{tag_id}/accept/"),
        ("POST", "/api/v1/articles/{slug}/tags/{kind}/{tag_id}/reject/"),
        ("PATCH", "/api/v1/articles/{slug}/tags/dates/{tag_id}/"),
        ("GET", "/api/v1/people/"), ("GET", "/api/v1/people/{slug}/"),
        ("GET", "/api/v1/organisations/"), ("GET", "/api/v1/organisations/{slug}/"),
        ("GET", "/api/v1/places/"), ("GET", "/api/v1/places/{slug}/"),
        ("GET", "/api/v1/topics/"), ("GET", "/api/v1/topics/{slug}/"),
        ("GET", "/api/v1/sources/"), ("GET", "/api/v1/sources/{slug}/"),
        ("GET", "/api/v1/dates/"), ("POST", "/api/v1/auth/token/"),
    }


def test_every_operation_describes_its_errors(schema):
    for method, path, operation in operations(schema):
        codes = set(operation["responses"])
        assert {"400", "401", "429"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method != "GET":
            assert "403" in codes, (method, path)
        assert "406" in codes, (method, path)
        if method in ("POST", "PATCH"):
            assert {"413", "415"} <= codes, (method, path)
        if path.startswith("/api/v1/articles/{slug}/"):
            assert "410" in codes, (method, path)
    patch = schema["paths"]["/api/v1/articles/{slug}/"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])
    assert "If-Match" in [p["name"] for p in patch["parameters"]]
    assert "409" in schema["paths"]["/api/v1/articles/{slug}/transitions/"]["post"]["responses"]


def test_every_filter_is_described(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]}
    assert parameters == {
        "person", "topic", "organisation", "place", "source", "published_after",
        "published_before", "mentioned_after", "mentioned_before", "q", "status", "ordering",
        "page", "page_size", "pagination", "cursor",
    }
    timeline = {p["name"] for p in schema["paths"]["/api/v1/dates/"]["get"]["parameters"]}
    assert timeline == {"from", "to", "person", "topic", "page", "page_size"}


def test_the_token_exchange_has_its_summary(schema):
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert token["summary"] == "Exchange a username and password for an API token"


def test_a_406_is_what_the_schema_says(api, world):
    response = api.get("/api/v1/sources/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


def test_a_path_with_a_newline_is_a_json_404_and_a_write_to_it_needs_no_csrf(client, editor):
    client.force_login(editor)
    for method in ("get", "patch", "post"):
        response = getattr(client, method)("/api/v1/articles/a%0Ab/")
        assert response.status_code == 404, method
        assert response.json()["code"] == "not_found"


def test_token_and_session_authentication_are_described(schema):
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_swagger_ui_is_served_from_our_own_static_files(api):
    response = api.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html  # no inline script: the Content-Security-Policy forbids them
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    start_up = [a for a in assets if a.startswith("/api/v1/docs/?script")]
    assert len(start_up) == 1, assets
    script = api.get(start_up[0]).content.decode()
    assert "/api/v1/schema/" in script
    static = [a for a in assets if a not in start_up]
    assert static and all(a.startswith("/static/") for a in static), static
    for asset in static:
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "cdn" not in html.lower() and "cdn" not in script.lower()
