"""The orjson renderer writes what DRF's JSONRenderer writes."""

import datetime
import decimal
import uuid

import pytest
from django.utils.functional import lazy
from rest_framework.renderers import JSONRenderer

from articles.api.renderers import ORJSONRenderer

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
