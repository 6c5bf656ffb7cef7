"""
Property-based fuzzing of the whole API against its own OpenAPI schema:
schemathesis generates requests (valid and invalid) for every operation and
sends them to the Django application through WSGI, with a seeded database,
first anonymously and then as a publisher (who may call every operation).
Every answer must be below 500 and conform to the schema: a documented
status code and content type, a body of the documented shape.

Random slugs almost never name an object, so most cases of an operation with
a {slug} (and {tag_id}) in its path are aimed at a seeded one: the detail,
edit, transition and curation code runs, not only its 404.

FUZZ_EXAMPLES sets the number of examples per operation (default 25: over a
thousand requests in all, as CI asks, in about two minutes); raise it for a
deeper run, e.g. FUZZ_EXAMPLES=500 pytest tests/api/test_schema_fuzz.py.
"""

import os
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from newsroom.wsgi import application
from articles.curation import TAG_MODEL_BY_KIND
from articles.models import Article, Organisation, Person, Place, Source, Topic
from tests.factories import ArticleFactory, DraftFactory

from .conftest import World, client_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
MINIMUM_CASES = 1000 if EXAMPLES >= 25 else 0
CASES = {"sent": 0, "aimed": 0}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def wsgi_in_test_transaction():
    """Requests are served inside the test's transaction, as by Django's test
    client: the handler must not close the connection between requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


RECORDS = {"articles": Article, "people": Person, "organisations": Organisation,
           "places": Place, "topics": Topic, "sources": Source}
TARGETS = {"slugs": {}, "tag_ids": {}}
AIMED_OUT_OF = 5  # 4 cases in 5 name a seeded object; the rest keep their random slug


@pytest.fixture
def seeded(db, wsgi_in_test_transaction):
    world = World()
    ArticleFactory.create_batch(3)
    DraftFactory(headline="Another draft")
    TARGETS["slugs"] = {prefix: sorted(model.objects.values_list("slug", flat=True))
                        for prefix, model in RECORDS.items()}
    TARGETS["tag_ids"] = {
        (slug, kind): list(model.objects.filter(article__slug=slug).values_list("pk", flat=True))
        for kind, model in TAG_MODEL_BY_KIND.items() for slug in TARGETS["slugs"]["articles"]}
    return world


def aim(case) -> None:
    """Point most cases of a {slug} operation at a seeded object (and at one
    of its tags), choosing from the generated values, so that a case is
    still reproducible from what hypothesis generated."""
    parameters = case.path_parameters or {}
    if "slug" not in parameters:
        return
    seed = zlib.crc32(repr(sorted(parameters.items())).encode())
    if seed % AIMED_OUT_OF == 0:
        return
    prefix = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    slugs = TARGETS["slugs"][prefix]
    parameters["slug"] = slugs[seed % len(slugs)]
    if "tag_id" in parameters:
        kind = parameters.get("kind", "dates")
        ids = TARGETS["tag_ids"].get((parameters["slug"], kind))
        if ids:
            parameters["tag_id"] = ids[seed // 7 % len(ids)]
    CASES["aimed"] += 1


@pytest.fixture
def publisher_token(publisher):
    return client_for(publisher)._credentials["HTTP_AUTHORIZATION"]


# The schema as the API serves it at /api/v1/schema/, generated in-process.
# (schemathesis.pytest.from_fixture, which would load it lazily, does not run
# under pytest 9.2: it sets Node._nodeid, which pytest no longer has.)
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous_clients(case, seeded):
    CASES["sent"] += 1
    aim(case)
    case.call_and_validate(app=application, checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_a_publisher(case, seeded, publisher_token):
    CASES["sent"] += 1
    aim(case)
    case.call_and_validate(app=application, headers={"Authorization": publisher_token},
                           checks=CHECKS)


def test_the_fuzz_sent_enough_cases():
    """Runs after the two fuzz tests above (pytest keeps a module's order)."""
    assert CASES["sent"] >= MINIMUM_CASES, CASES
    # 13 of the 23 operations have a {slug}: well over a third of all cases are aimed.
    assert CASES["aimed"] >= CASES["sent"] / 3, CASES
