"""
Content that is not live changes nothing a reader sees.

The marker walk (test_public_leaks) proves that no secret name or text is
shown. This proves the rest: counts, charts, pagination, feeds' build dates,
facets, related articles. Every public page and API read is rendered with
only live content, then again after adding an article in every state that
is not live (tagged with the same public records, and with records of its
own), pending and rejected tags on the live article, and the hidden
articles in the featured collection: every answer must be the same, byte
for byte. The walker is the leak test's, so a new URL pattern is covered
here as soon as it is there.
"""

import re

import pytest
from django.core.cache import cache

from articles import cache as page_cache
from articles import renditions
from articles.models import Article
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    DateMentionFactory,
    OrganisationTagFactory,
    PersonTagFactory,
    PlaceTagFactory,
    TopicFactory,
    TopicTagFactory,
)
from tests.public_helpers import DAY, collection_of
from tests.test_public_leaks import (
    API,
    API_QUERIES,
    NOT_LIVE,
    NOW,
    UNDECIDED,
    all_routes,
    api_urls,
    public_responses,
    public_world,
    tag_with,
)

pytestmark = pytest.mark.django_db

def live_world():
    public, live = public_world()
    return public, live, collection_of([live], name="Front page")


def add_what_is_not_live(public, live, collection):
    for tag_state in UNDECIDED.values():
        PersonTagFactory(article=live, state=tag_state)
        TopicTagFactory(article=live, state=tag_state, topic=TopicFactory(parent=public["topic"]))
        OrganisationTagFactory(article=live, state=tag_state)
        PlaceTagFactory(article=live, state=tag_state)
        DateMentionFactory(article=live, state=tag_state)
    for position, (state, fields) in enumerate(NOT_LIVE.items(), start=1):
        article = ArticleFactory(headline=f"Hidden {state} ferry to Cambodia",
                                 body="A ferry to Cambodia.",
                                 **{"published_at": NOW - DAY, **fields})
        tag_with(article, public)
        PersonTagFactory(article=article)
        TopicTagFactory(article=article, topic=TopicFactory(parent=public["subtopic"]))
        OrganisationTagFactory(article=article)
        PlaceTagFactory(article=article)
        DateMentionFactory(article=article)
        BylineFactory(article=article, person=public["person"])
        CorrectionFactory(article=article)
        collection.items.create(article=article, position=position)


# A feed with no items says it was built now (Django's syndication): the one
# answer that changes with the clock alone.
EMPTY_FEED_DATE = re.compile(rb"<(lastBuildDate|updated)>[^<]*</\1>")


def comparable(content: bytes) -> bytes:
    if b"<item>" not in content and b"<entry>" not in content:
        return EMPTY_FEED_DATE.sub(b"", content)
    return content


def fresh():
    cache.clear()
    page_cache.local.forget()


def snapshot(client) -> dict:
    """URL → (status, body) of every public page and API read."""
    fresh()
    answers = {full: (response.status_code, comparable(response.content))
               for _, full, response in public_responses(client)}
    for route in (r for r in all_routes() if r.startswith(API)):
        for url in api_urls(route):
            for query in ["", *API_QUERIES.get(route, [])]:
                full = f"{url}?{query}" if query else url
                response = client.get(full, HTTP_ACCEPT="application/json")
                answers[full] = (response.status_code, response.content)
    return answers


def render_all():
    renditions.build(Article.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("rendered", [False, True], ids=["unrendered", "rendered"])
def test_adding_content_that_is_not_live_changes_no_answer(client, settings, rendered):
    """Rendered: every article, the hidden ones too, has its stored rendition."""
    settings.API_ANON_RATE = None
    public, live, collection = live_world()
    if rendered:
        render_all()
    before = snapshot(client)
    assert sum(status == 200 for status, _ in before.values()) > 60

    add_what_is_not_live(public, live, collection)
    if rendered:
        render_all()
    after = snapshot(client)

    changed = [url for url, answer in before.items() if after.get(url, answer) != answer]
    assert not changed, f"Non-live content changed {len(changed)} answers, e.g. {changed[:5]}"
    # The new URLs (the hidden articles and records) answer nothing readable.
    for url in set(after) - set(before):
        status, body = after[url]
        if status == 410:  # the killed article: its notice only
            assert b"Hidden killed" not in body, url
        else:
            # The API: refused (staff-only endpoints answer 401 whatever the slug).
            assert status in ((400, 401, 404) if url.startswith("/" + API) else (404,)), (url, status)


def test_the_comparison_sees_a_change_that_is_public(client, settings):
    """The other half: publishing one more article does change answers, so
    the test above is not comparing pages that cannot change."""
    settings.API_ANON_RATE = None
    public, live, collection = live_world()
    before = snapshot(client)
    article = ArticleFactory(headline="Another public ferry", published_at=NOW - DAY)
    tag_with(article, public)
    after = snapshot(client)
    changed = {url for url, answer in before.items() if after.get(url) != answer}
    assert {"/", "/people/public-person/", "/topics/public-topic/", "/feeds/latest/",
            f"/{API}articles/"} <= changed
    assert Article.objects.live().count() == 2


def test_stored_renditions_change_no_answer(client, settings):
    """Every public page and API read is the same, byte for byte, whether the
    lists render their articles or read the stored renditions."""
    settings.API_ANON_RATE = None
    public, live, collection = live_world()
    add_what_is_not_live(public, live, collection)
    before = snapshot(client)
    render_all()
    assert renditions.missing().count() == 0
    after = snapshot(client)
    changed = [url for url, answer in before.items() if after.get(url) != answer]
    assert not changed and set(after) == set(before), changed[:5]
