import pytest

pytestmark = pytest.mark.django_db


def post_raw(client, body: bytes, **extra):
    return client.generic("POST", "/api/v1/articles/", body, content_type="application/json",
                          **extra)


def test_a_body_nested_beyond_the_recursion_limit_is_a_parse_error(as_reporter, world):
    response = post_raw(as_reporter, b"[" * 5000 + b"]" * 5000)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "nested too deeply" in response.json()["detail"]


def test_a_deep_object_inside_a_field_is_a_parse_error_too(as_reporter, world):
    response = post_raw(as_reporter, b'{"headline": ' + b"[" * 5000 + b"]" * 5000 + b"}")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_an_undecodable_body_is_a_parse_error(as_reporter, world):
    response = post_raw(as_reporter, b'{"headline": "\xff\xfe"}')
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_body_over_the_upload_limit_is_413(as_reporter, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_raw(as_reporter, b'{"headline": "' + b"x" * 2000 + b'"}')
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 1000 bytes.",
                               "code": "request_too_large"}


def test_a_body_within_the_limit_is_parsed(as_reporter, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_raw(as_reporter, b'{"headline": "Small enough"}')
    assert response.status_code == 201, response.json()


def test_the_token_endpoint_parses_json_safely_too(api, db):
    response = api.generic("POST", "/api/v1/auth/token/", b"[" * 5000,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_the_token_endpoint_refuses_a_large_body_too(api, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api.post("/api/v1/auth/token/", {"username": "x" * 500, "password": "y"})
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
