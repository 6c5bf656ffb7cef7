import pytest
from rest_framework.test import APIRequestFactory

from articles import curation
from articles.api import selectors
from articles.api.serializers import ArticleWriteSerializer, TopicSerializer
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_writes_take_exactly_what_an_edit_may_change():
    assert set(ArticleWriteSerializer.Meta.fields) == curation.EDITABLE_FIELDS


def test_topic_paths_are_fetched_once_for_a_whole_response(django_assert_num_queries):
    root = TopicFactory(name="World")
    leaves = [TopicFactory(name=f"Leaf {n}", parent=TopicFactory(name=f"Branch {n}", parent=root))
              for n in range(5)]
    topics = list(selectors.topics_for(UserFactory(is_staff=True)).filter(pk__in=[t.pk for t in leaves])
                  .order_by("path"))
    context = {"request": APIRequestFactory().get("/")}
    with django_assert_num_queries(1):
        data = TopicSerializer(topics, many=True, context=context).data
    assert {tuple(a["slug"] for a in t["path"]) for t in data} == {
        ("world", f"branch-{n}") for n in range(5)}


def test_missing_urls_are_null_not_empty(api, world):
    assert api.get("/api/v1/sources/asia-wire/").json()["homepage_url"] is None
    assert api.get("/api/v1/topics/economy/").json()["iptc_uri"] is None
    assert api.get(f"/api/v1/articles/{world.visit.slug}/").json()["original_url"] is None


def test_api_edits_are_in_the_history_under_their_author(as_reporter, reporter, own_draft):
    as_reporter.patch(f"/api/v1/articles/{own_draft.slug}/", {"body": "Revised."},
                      format="json", HTTP_IF_MATCH="1")
    assert own_draft.history.first().history_user == reporter
