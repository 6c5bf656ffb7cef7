"""The orjson renderer writes what DRF's JSONRenderer writes."""

import datetime
import decimal
import uuid

import orjson
import pytest
from django.utils.functional import lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from articles import renditions
from articles.api.renderers import ORJSONRenderer
from articles.models import Article
from tests.factories import ArticleFactory

UTC = datetime.timezone.utc
TRICKY = {
    "text": "Phnom Penh — 金边 \u2028 line \u2029 paragraph \"quoted\" </script>",
    "when": datetime.datetime(2024, 7, 5, 9, 30, tzinfo=UTC),
    "micro": datetime.datetime(2024, 7, 5, 9, 30, 0, 123456, tzinfo=UTC),
    "naive": datetime.datetime(2024, 7, 5, 9, 30),
    "day": datetime.date(2024, 7, 5),
    "time": datetime.time(9, 30),
    "span": datetime.timedelta(hours=2),
    "amount": decimal.Decimal("12.50"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": lazy(lambda: "translated", str)(),
    "numbers": [0, -1, 2**53, 1.5, True, None],
    "nested": {"a": [{"b": []}], 1: "integer key"},
    "tuple": (1, 2),
}


@pytest.mark.parametrize("data", [TRICKY, [TRICKY, TRICKY], {}, [], "plain", 3])
def test_the_same_bytes_as_drf(data):
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_nothing_renders_as_nothing():
    assert ORJSONRenderer().render(None) == b""


def test_an_indent_asked_for_is_honoured():
    context = {"indent": 2}
    assert ORJSONRenderer().render({"a": 1}, "application/json", context) == b'{\n  "a": 1\n}'


def test_stored_items_are_written_as_they_are_and_read_back_for_an_indent():
    stored = orjson.Fragment(b'{"headline":"Line\xe2\x80\xa8break"}')
    assert ORJSONRenderer().render({"results": [stored]}) == b'{"results":[{"headline":"Line\\u2028break"}]}'
    indented = ORJSONRenderer().render({"results": [stored]}, "application/json", {"indent": 1})
    assert indented == JSONRenderer().render({"results": [{"headline": "Line\u2028break"}]},
                                             "application/json", {"indent": 1})


@pytest.mark.django_db
def test_the_unfiltered_list_is_indented_when_asked():
    ArticleFactory(headline="Indented")
    renditions.build(Article.objects.values_list("pk", flat=True))
    response = APIClient().get("/api/v1/articles/", HTTP_ACCEPT="application/json; indent=2")
    assert response.status_code == 200
    assert b'\n  "results": [\n    {\n      "slug": "indented"' in response.content
