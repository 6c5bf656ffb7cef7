"""
Nothing that is not public reaches an anonymous reader, on any public URL.

The walker requests every URL pattern of the site outside admin/ and
preview/ (the API's too, in its own test), filling its parameters with every slug, year and month of the test
data (public or not), and checks that no marker of unpublished content or of
undecided or rejected tags appears in any answer. A new URL pattern with a
parameter the walker cannot fill fails the test: teach FILLERS about it.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from articles import renditions
from articles.models import Article, Organisation, Person, Place, TagState, Topic
from articles.sitemaps import SITEMAPS
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    DateMentionFactory,
    OrganisationFactory,
    OrganisationTagFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceFactory,
    PlaceTagFactory,
    TopicFactory,
    TopicTagFactory,
)
from tests.public_helpers import DAY, collection_of

pytestmark = pytest.mark.django_db

EXCLUDED_PREFIXES = ("admin/", "api/", "preview/")
Status = Article.Status
NOW = timezone.now()

NOT_LIVE = {
    "draft": {"status": Status.DRAFT},
    "review": {"status": Status.REVIEW},
    "approved": {"status": Status.APPROVED},
    "scheduled": {"status": Status.PUBLISHED, "published_at": NOW + DAY},
    "embargoed": {"status": Status.PUBLISHED, "embargo_until": NOW + DAY},
    "unpublished": {"status": Status.UNPUBLISHED},
    "archived": {"status": Status.ARCHIVED},
    "killed": {"status": Status.KILLED, "kill_notice": "This article was withdrawn."},
}
UNDECIDED = {"pending": TagState.SUGGESTED, "rejected": TagState.REJECTED}


def marker(*parts) -> str:
    return "zqx" + "".join(parts) + "mark"


def all_markers() -> list[str]:
    kinds = ["article", "person", "reporter", "topic", "organisation", "place", "date", "correction"]
    found = [marker(state, kind) for state in NOT_LIVE for kind in kinds]
    found += [marker(state, kind) for state in UNDECIDED
              for kind in ["person", "topic", "organisation", "place", "date"]]
    return found


def public_world():
    """Public records (a topic with a sub-topic) and one live article tagged
    with them, with a byline and a date: (records, article)."""
    public = {
        "person": PersonFactory(name="Public Person"),
        "topic": TopicFactory(name="Public Topic"),
        "organisation": OrganisationFactory(name="Public Organisation"),
        "place": PlaceFactory(name="Public Place"),
    }
    public["subtopic"] = TopicFactory(name="Public Subtopic", parent=public["topic"])
    live = ArticleFactory(headline="Public ferry story about Cambodia", body="A ferry to Cambodia.",
                          published_at=NOW - 3 * DAY)
    tag_with(live, public)
    BylineFactory(article=live, person=PersonFactory(name="Public Reporter"))
    DateMentionFactory(article=live, label="Public date")
    return public, live


@pytest.fixture(params=["unrendered", "rendered"])
def world(request):
    """One live article tagged with public records, pending and rejected
    tags with secret names; and an article in each state that is not live,
    tagged with the same public records and with secret records of its own.
    Rendered: every article has its stored list rendition."""
    public, live = public_world()
    for state, tag_state in UNDECIDED.items():
        PersonTagFactory(article=live, state=tag_state, person__name=marker(state, "person"))
        TopicTagFactory(article=live, state=tag_state,
                        topic=TopicFactory(name=marker(state, "topic"), parent=public["topic"]))
        OrganisationTagFactory(article=live, state=tag_state, organisation__name=marker(state, "organisation"))
        PlaceTagFactory(article=live, state=tag_state, place__name=marker(state, "place"))
        DateMentionFactory(article=live, state=tag_state, label=marker(state, "date"),
                           text=marker(state, "date"))

    hidden = [live]
    for state, fields in NOT_LIVE.items():
        article = ArticleFactory(
            headline=f"Secret {marker(state, 'article')} ferry",
            standfirst=f"Standfirst {marker(state, 'article')}",
            body=f"A ferry to Cambodia. {marker(state, 'article')}",
            **{"published_at": NOW - DAY, **fields},
        )
        tag_with(article, public)
        PersonTagFactory(article=article, person__name=marker(state, "person"))
        TopicTagFactory(article=article, topic=TopicFactory(name=marker(state, "topic"),
                                                           parent=public["subtopic"]))
        OrganisationTagFactory(article=article, organisation__name=marker(state, "organisation"))
        PlaceTagFactory(article=article, place__name=marker(state, "place"))
        DateMentionFactory(article=article, label=marker(state, "date"))
        BylineFactory(article=article, person=PersonFactory(name=marker(state, "reporter")))
        CorrectionFactory(article=article, text=marker(state, "correction"))
        hidden.append(article)
    collection_of(hidden, name="Front page")
    if request.param == "rendered":
        renditions.build(Article.objects.values_list("pk", flat=True))
    return public


def tag_with(article, public):
    PersonTagFactory(article=article, person=public["person"])
    TopicTagFactory(article=article, topic=public["subtopic"])
    OrganisationTagFactory(article=article, organisation=public["organisation"])
    PlaceTagFactory(article=article, place=public["place"])


# --- Filling the URL patterns --------------------------------------------------


def slugs(model):
    return lambda: [{"slug": slug} for slug in model.objects.values_list("slug", flat=True)]


def years():
    return [{"year": y} for y in sorted({a.published_at.year for a in Article.objects.exclude(published_at=None)})]


def months():
    return [{"year": y, "month": m} for y, m in sorted(
        {(a.published_at.year, a.published_at.month) for a in Article.objects.exclude(published_at=None)})]


FILLERS = {
    "articles/<slug:slug>/": slugs(Article),
    "people/<slug:slug>/": slugs(Person),
    "topics/<slug:slug>/": slugs(Topic),
    "organisations/<slug:slug>/": slugs(Organisation),
    "places/<slug:slug>/": slugs(Place),
    "archive/<int:year>/": years,
    "archive/<int:year>/<int:month>/": months,
    "feeds/topics/<slug:slug>/": slugs(Topic),
    "feeds/people/<slug:slug>/": slugs(Person),
    "sitemap-<section>.xml": lambda: [{"section": section} for section in SITEMAPS],
}


def query_variants(route):
    """Query strings worth trying on a pattern besides none."""
    people = [f"person={s}" for s in Person.objects.values_list("slug", flat=True)]
    topics = [f"topic={s}" for s in Topic.objects.values_list("slug", flat=True)]
    if route == "timeline/":
        return people + topics + ["page=2"]
    if route == "search/":
        words = ["ferry", "secret", "cambodia", "standfirst", "correction"]
        return [f"q={w}" for w in words] + [f"q=ferry&{f}" for f in people + topics]
    if route in ("", "archive/", "people/", "topics/", "organisations/", "places/"):
        return ["page=2"]
    if route == "sitemap-<section>.xml":
        return ["p=1", "p=2"]
    return []


def all_routes():
    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    return list(walk(get_resolver().url_patterns, ""))


def public_routes():
    """Every URL pattern outside the excluded prefixes."""
    return [r for r in all_routes() if not r.startswith(EXCLUDED_PREFIXES)]


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def urls_of(route):
    if not PARAMETER.search(route):
        return ["/" + route]
    if route not in FILLERS:
        pytest.fail(f"The leak test cannot fill the parameters of {route!r}: add it to FILLERS.")
    template = PARAMETER.sub(lambda m: "{" + (m[1] or m[2]) + "}", route)
    return ["/" + template.format(**values) for values in FILLERS[route]()]


def test_every_parameter_of_every_public_route_can_be_filled():
    routes = public_routes()
    unfillable = [r for r in routes if PARAMETER.search(r) and r not in FILLERS]
    assert not unfillable, f"Teach FILLERS how to fill: {unfillable}"
    assert not set(FILLERS) - set(routes), f"FILLERS for routes that are gone: {set(FILLERS) - set(routes)}"
    assert len(routes) >= 20


def public_responses(client):
    """(route, URL, response) of every URL the walker makes of every public route."""
    for route in public_routes():
        for url in urls_of(route):
            for query in ["", *query_variants(route)]:
                full = f"{url}?{query}" if query else url
                yield route, full, client.get(full)


def test_no_unpublished_content_or_undecided_tag_reaches_anonymous_readers(client, world):
    markers = all_markers()
    seen_ok = set()
    checked = 0
    for route, full, response in public_responses(client):
        assert response.status_code in (200, 404, 410), (full, response.status_code)
        body = response.content.decode().lower()
        leaked = [m for m in markers if m in body]
        assert not leaked, f"{full} shows {leaked}"
        checked += 1
        if response.status_code == 200:
            seen_ok.add(route)
    # The walk rendered real pages of every pattern, not only 404s.
    assert seen_ok == set(public_routes())
    assert checked > 100


class Landmarks(HTMLParser):
    """What an accessible page needs, as the parser met it."""

    def __init__(self):
        super().__init__()
        self.h1 = self.nav = 0
        self.main_ids, self.skip_links, self.html_lang = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "nav":
            self.nav += 1
        elif tag == "main":
            self.main_ids.append(attrs.get("id"))
        elif tag == "a" and attrs.get("href") == "#main" and self.main_ids == []:
            self.skip_links.append(attrs)


def test_every_html_page_has_one_h1_and_its_landmarks(client, world):
    checked = set()
    for route, full, response in public_responses(client):
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = Landmarks()
        page.feed(response.content.decode())
        assert page.h1 == 1, f"{full}: {page.h1} <h1>"
        assert page.main_ids == ["main"], f"{full}: <main> {page.main_ids}"
        assert page.skip_links, f"{full}: no skip link to #main before <main>"
        assert page.nav >= 1, f"{full}: no <nav>"
        assert page.html_lang, f"{full}: no lang on <html>"
        checked.add(route)
    assert {"", "articles/<slug:slug>/", "people/<slug:slug>/", "timeline/", "search/"} <= checked
    assert len(checked) >= 15


def test_the_public_records_and_live_article_do_appear(client, world):
    """The other half: the walker's pages are not empty by accident."""
    assert b"Public ferry story about Cambodia" in client.get("/").content
    page = client.get("/people/public-person/").content
    assert b"Public ferry story about Cambodia" in page
    assert b"Public date" in client.get("/timeline/").content
    killed = Article.objects.get(status=Status.KILLED)
    response = client.get(killed.get_absolute_url())
    assert response.status_code == 410 and b"This article was withdrawn." in response.content


# --- The API, walked the same way ----------------------------------------------

API = "api/v1/"


def api_slugs(route):
    """Every slug of the model an API route is about (public or not)."""
    for prefix, model in [("articles", Article), ("people", Person), ("topics", Topic),
                          ("organisations", Organisation), ("places", Place)]:
        if route.startswith(f"{API}^{prefix}/"):
            return list(model.objects.values_list("slug", flat=True))
    from articles.models import Source

    return list(Source.objects.values_list("slug", flat=True))


def api_urls(route):
    """Concrete URLs for an API route, its regex parameters filled."""
    path = route.replace("^", "").replace("$", "")
    if path.endswith("*/"):  # the catch-all: any other path is a JSON 404
        return ["/" + path[:path.rindex("[")] + "no-such-endpoint/", "/" + API + "a%0Ab/"]
    names = [m[1] or m[2] for m in PARAMETER.finditer(path)]
    unknown = set(names) - {"slug", "kind", "tag_id"}
    if unknown:
        pytest.fail(f"The API leak test cannot fill {unknown} in {route!r}: teach api_urls.")
    template = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: "{" + m[1] + "}", path)
    from articles.models import tag_models

    tag_ids = [t.pk for model in tag_models() for t in model.objects.all()] or [1]
    return ["/" + template.format(slug=slug, kind="people", tag_id=tag_id)
            for slug in (api_slugs(route) if "slug" in names else [""])
            for tag_id in (tag_ids if "tag_id" in names else [0])]


API_QUERIES = {
    f"{API}^articles/$": ["person=public-person", "topic=public-topic", "q=ferry", "q=secret",
                          "mentioned_after=2000-01-01&mentioned_before=2100-01-01",
                          "pagination=cursor", "status=draft", "ordering=headline"],
    f"{API}^dates/$": ["person=public-person", "topic=public-topic", "from=2000-01-01"],
}


def test_the_api_leaks_nothing_either(client, world, settings):
    settings.API_ANON_RATE = None  # a 429 would hide what the answer shows
    markers = all_markers()
    routes = [r for r in all_routes() if r.startswith(API)]
    assert len(routes) >= 20
    checked = 0
    for route in routes:
        for url in api_urls(route):
            for query in ["", *API_QUERIES.get(route, [])]:
                full = f"{url}?{query}" if query else url
                response = client.get(full, HTTP_ACCEPT="application/json")
                assert response.status_code < 500, (full, response.status_code)
                assert response.status_code != 429, full
                body = response.content.decode().lower()
                leaked = [m for m in markers if m in body]
                assert not leaked, f"{full} shows {leaked}"
                checked += 1
    assert checked > 100
    listing = client.get(f"/{API}articles/").json()
    assert listing["count"] == 1  # only the live article is counted
