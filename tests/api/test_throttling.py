import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_clients_are_throttled_with_retry_after(api, settings, world):
    settings.API_ANON_RATE = "2/min"
    assert api.get("/api/v1/people/?page=1").status_code == 200
    assert api.get("/api/v1/sources/").status_code == 200
    response = api.get("/api/v1/topics/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_the_token_endpoint_is_throttled_too(api, settings, db):
    settings.API_ANON_RATE = "1/min"
    api.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    assert response.status_code == 429


def test_staff_are_not_throttled(as_editor, settings, world):
    settings.API_ANON_RATE = "1/min"
    for _ in range(3):
        assert as_editor.get("/api/v1/articles/?status=draft").status_code == 200


def test_the_rate_comes_from_the_environment(monkeypatch):
    import importlib

    import newsroom.settings

    monkeypatch.setenv("API_ANON_RATE", "5/second")
    try:
        assert importlib.reload(newsroom.settings).API_ANON_RATE == "5/second"
        monkeypatch.setenv("API_ANON_RATE", "")
        assert importlib.reload(newsroom.settings).API_ANON_RATE is None
        monkeypatch.delenv("API_ANON_RATE")
        assert importlib.reload(newsroom.settings).API_ANON_RATE == "120/min"
    finally:
        monkeypatch.delenv("API_ANON_RATE", raising=False)
        importlib.reload(newsroom.settings)
