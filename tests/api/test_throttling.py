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


def test_one_cached_url_repeated_is_throttled(api, settings, world):
    """The page cache answers repeats of one URL: the throttle must run first."""
    settings.API_ANON_RATE = "2/min"
    statuses = [api.get("/api/v1/articles/").status_code for _ in range(10)]
    assert statuses == [200, 200] + [429] * 8
    response = api.get("/api/v1/articles/")
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "throttled"
    assert "throttled" in response.json()["detail"]


def test_a_cache_miss_counts_once(api, settings, world):
    """The wrapper counts the request; DRF's own throttle must not count it again."""
    settings.API_ANON_RATE = "3/min"
    assert [api.get(f"/api/v1/people/?page={n}").status_code for n in (1, 1, 1, 1)] == [
        200, 200, 200, 429]


def test_a_throttled_cache_hit_costs_no_query(api, settings, world,
                                              django_assert_num_queries):
    settings.API_ANON_RATE = "1/min"
    api.get("/api/v1/sources/")
    with django_assert_num_queries(0):
        assert api.get("/api/v1/sources/").status_code == 429


def test_a_cache_hit_costs_no_more_queries_for_the_throttle(api, settings, world,
                                                            django_assert_num_queries):
    settings.API_ANON_RATE = "100/min"
    api.get("/api/v1/sources/")
    with django_assert_num_queries(0):
        assert api.get("/api/v1/sources/").status_code == 200


def test_a_spoofed_forwarded_for_does_not_reset_the_count(api, settings, world):
    settings.API_ANON_RATE = "2/min"
    statuses = [api.get("/api/v1/articles/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
                for n in range(5)]
    assert statuses == [200, 200, 429, 429, 429]


def test_behind_a_proxy_its_forwarded_address_identifies_the_client(api, settings, world):
    settings.API_ANON_RATE = "1/min"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The proxy appends the address it saw; what the client sent before it is ignored.
    assert api.get("/api/v1/sources/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5").status_code == 200
    assert api.get("/api/v1/sources/", HTTP_X_FORWARDED_FOR="2.2.2.2, 203.0.113.5").status_code == 429
    assert api.get("/api/v1/sources/", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_the_proxy_count_comes_from_the_environment_shared_with_axes(monkeypatch):
    import importlib

    import newsroom.settings

    try:
        monkeypatch.delenv("PROXY_COUNT", raising=False)
        reloaded = importlib.reload(newsroom.settings)
        assert reloaded.REST_FRAMEWORK["NUM_PROXIES"] == 0 == reloaded.AXES_IPWARE_PROXY_COUNT
        monkeypatch.setenv("PROXY_COUNT", "2")
        reloaded = importlib.reload(newsroom.settings)
        assert reloaded.REST_FRAMEWORK["NUM_PROXIES"] == 2 == reloaded.AXES_IPWARE_PROXY_COUNT
    finally:
        monkeypatch.delenv("PROXY_COUNT", raising=False)
        importlib.reload(newsroom.settings)
