import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from articles.models import TagState
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    DraftFactory,
    PersonFactory,
    PersonTagFactory,
    TopicFactory,
    TopicTagFactory,
)
from tests.public_helpers import DAY

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
EVIL = '</script><script>alert(1)</script> {{ x }}'


def rss_items(response):
    return ET.fromstring(response.content).findall("./channel/item")


def titles(response):
    return [item.findtext("title") for item in rss_items(response)]


def test_latest_rss_lists_live_articles_newest_first(client):
    older = ArticleFactory(headline="Older", published_at=timezone.now() - 2 * DAY)
    newer = ArticleFactory(headline="Newer", published_at=timezone.now() - DAY)
    DraftFactory(headline="Draft")
    ArticleFactory(headline="Scheduled", published_at=timezone.now() + DAY)
    ArticleFactory(headline="Embargoed", embargo_until=timezone.now() + DAY)
    TopicTagFactory(article=newer, topic=TopicFactory(name="Diplomacy"))
    TopicTagFactory(article=newer, topic=TopicFactory(name="Pending topic"), state=TagState.SUGGESTED)
    BylineFactory(article=newer, person=PersonFactory(name="Ry Sochan"))
    response = client.get("/feeds/latest/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert titles(response) == ["Newer", "Older"]
    item = rss_items(response)[0]
    assert item.findtext("link") == f"http://testserver{newer.get_absolute_url()}"
    assert [c.text for c in item.findall("category")] == ["Diplomacy"]
    assert "Ry Sochan" in item.findtext("{http://purl.org/dc/elements/1.1/}creator")
    assert f"http://testserver{older.get_absolute_url()}" in response.content.decode()


def test_latest_atom(client):
    ArticleFactory(headline="In Atom", standfirst="Summary here.")
    response = client.get("/feeds/latest/atom/")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "In Atom"
    assert entry.findtext(f"{ATOM}summary") == "Summary here."
    assert entry.find(f"{ATOM}updated") is not None


def test_topic_feed_includes_sub_topics_and_only_accepted_tags(client):
    parent = TopicFactory(name="Relations")
    child = TopicFactory(name="Visits", parent=parent)
    TopicTagFactory(topic=parent, article=ArticleFactory(headline="Parent story"))
    TopicTagFactory(topic=child, article=ArticleFactory(headline="Child story"))
    TopicTagFactory(topic=parent, article=ArticleFactory(headline="Rejected story"), state=TagState.REJECTED)
    TopicTagFactory(topic=parent, article=DraftFactory(headline="Draft story"))
    response = client.get("/feeds/topics/relations/")
    assert sorted(titles(response)) == ["Child story", "Parent story"]
    assert ET.fromstring(response.content).findtext("./channel/title") == "Newsroom: Relations"


def test_person_feed(client):
    person = PersonFactory(name="Hun Manet")
    PersonTagFactory(person=person, article=ArticleFactory(headline="About Manet"))
    PersonTagFactory(person=person, article=ArticleFactory(headline="Suggested"), state=TagState.SUGGESTED)
    PersonTagFactory(person=person, article=DraftFactory(headline="Draft"))
    assert titles(client.get("/feeds/people/hun-manet/")) == ["About Manet"]


def test_feeds_of_records_without_live_coverage_are_404(client):
    PersonTagFactory(person=PersonFactory(name="Hidden"), state=TagState.REJECTED)
    TopicTagFactory(topic=TopicFactory(name="Drafty"), article=DraftFactory())
    assert client.get("/feeds/people/hidden/").status_code == 404
    assert client.get("/feeds/topics/drafty/").status_code == 404
    assert client.get("/feeds/people/nobody/").status_code == 404


@pytest.mark.parametrize("url", ["/feeds/latest/", "/feeds/latest/atom/"])
def test_hostile_text_is_escaped_for_feed_readers(client, url):
    ArticleFactory(headline=f"Headline {EVIL}", standfirst=f"Standfirst {EVIL}")
    response = client.get(url)
    raw = response.content.decode()
    assert "<script>" not in raw
    root = ET.fromstring(response.content)
    # Readers take titles and descriptions as HTML: after XML decoding they
    # must still be escaped HTML, i.e. show the text, not run it.
    texts = [el.text or "" for el in root.iter() if el.tag.split("}")[-1] in
             {"title", "description", "summary"}]
    assert "Headline &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; {{ x }}" in texts
    assert "Standfirst &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; {{ x }}" in texts
