import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import renditions
from articles.charts import coverage_chart
from articles.models import Article, TagState
from articles.pagination import CappedPaginator
from articles.views import article_page_data, related_articles
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    DateMentionFactory,
    DraftFactory,
    OrganisationTagFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceFactory,
    PlaceTagFactory,
    RoleFactory,
    TopicFactory,
    TopicTagFactory,
    UserFactory,
)
from tests.public_helpers import DAY, HOUR, build_world, collection_of

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def html(response) -> str:
    return response.content.decode()


def h1_count(response) -> int:
    return len(re.findall(r"<h1[\s>]", html(response)))


# --- Home ----------------------------------------------------------------------


class TestHome:
    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's DESC puts NULLs first")
    def test_its_page_is_read_in_an_index_order_without_a_sort(self):
        """Newest first with NULLs last, the order of article_live_newest_idx:
        published_at DESC alone (NULLs first) was read backwards from another
        index and each second's articles sorted, for any LIMIT when the plan
        is generic. Sorting and scanning disabled, the planner sorts only
        where no index gives the order."""
        from django.db import transaction

        from articles.views import NEWEST_CARDS

        ArticleFactory()
        NEWEST_CARDS.rows(timezone.now(), 20, 0)
        compiled = NEWEST_CARDS._compiled["default"]
        params = list(compiled.params)
        for slot, _, _ in compiled.slots:
            params[slot] = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off; SET LOCAL enable_incremental_sort = off; "
                           "SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + compiled.sql, [*params, 20, 0])
            plan = " ".join(str(row[0]) for row in cursor.fetchall())
        assert "article_live_newest_idx" in plan and "Sort" not in plan, plan

    def test_featured_collection_shows_its_live_articles_in_position_order(self, client):
        second = ArticleFactory(headline="Second in the collection")
        first = ArticleFactory(headline="First in the collection")
        draft = DraftFactory(headline="A draft in the collection")
        collection_of([first, draft, second], name="Kamikawa in Cambodia")
        page = html(client.get("/"))
        featured = page[page.index("Kamikawa in Cambodia"):page.index("Latest articles")]
        assert featured.index("First in the collection") < featured.index("Second in the collection")
        assert "A draft in the collection" not in page

    def test_a_collection_that_is_not_featured_is_not_shown(self, client):
        collection_of([ArticleFactory()], name="Backstage list", featured=False)
        assert "Backstage list" not in html(client.get("/"))

    def test_latest_live_articles_newest_first_and_paginated(self, client):
        for i in range(25):
            ArticleFactory(headline=f"Story {i:02d}", published_at=NOW - (i + 1) * HOUR)
        ArticleFactory(headline="Scheduled story", published_at=NOW + DAY)
        first_page = html(client.get("/"))
        assert first_page.index("Story 00") < first_page.index("Story 01")
        assert "Story 19" in first_page and "Story 20" not in first_page
        assert "Scheduled story" not in first_page
        assert 'rel="next" href="?page=2"' in first_page
        assert "Story 24" in html(client.get("/?page=2"))

    def test_past_the_cap_the_last_page_points_at_the_archive(self, client, monkeypatch):
        monkeypatch.setattr(CappedPaginator, "cap", 40)
        for n in range(45):
            ArticleFactory(headline=f"Story {n:02}", published_at=NOW - n * HOUR - HOUR)
        first = html(client.get("/"))
        assert "Page 1 of more than 2" in first
        last = html(client.get("/?page=2"))
        assert 'rel="next"' not in last and '<a href="/archive/">Older articles' in last
        assert client.get("/?page=3").status_code == 404

    @pytest.mark.parametrize("page", ["0", "3", "x", "-1", "9" * 30])
    def test_invalid_page_numbers_are_404(self, client, page):
        ArticleFactory()
        assert client.get(f"/?page={page}").status_code == 404

    def test_one_h1_landmarks_skip_link_and_stylesheet(self, client):
        response = client.get("/")
        page = html(response)
        assert h1_count(response) == 1
        for landmark in ("<header", "<nav", "<main", "<footer"):
            assert landmark in page
        assert 'class="skip-link" href="#main"' in page and 'id="main"' in page
        assert 'href="/static/css/site.css"' in page
        assert "https://fonts" not in page and "cdn" not in page.lower()


# --- Article page --------------------------------------------------------------


@pytest.fixture
def article():
    topic = TopicFactory(name="Diplomacy")
    article = ArticleFactory(
        headline="Kamikawa to visit Cambodia",
        standfirst="The foreign minister's first official visit.",
        body="First paragraph with <b>markup</b>.\n\nSecond paragraph.",
        original_url="https://www.example.org/story",
        dateline=PlaceFactory(name="Tokyo"),
    )
    BylineFactory(article=article, person=PersonFactory(name="Reporter Ry"))
    PersonTagFactory(article=article, person=PersonFactory(name="Yoko Kamikawa"), relation="about")
    PersonTagFactory(article=article, person=PersonFactory(name="Pending Person"), state=TagState.SUGGESTED)
    PersonTagFactory(article=article, person=PersonFactory(name="Rejected Person"), state=TagState.REJECTED)
    OrganisationTagFactory(article=article, organisation__name="ASEAN")
    PlaceTagFactory(article=article, place__name="Phnom Penh")
    TopicTagFactory(article=article, topic=topic)
    DateMentionFactory(article=article, label="The official visit")
    DateMentionFactory(article=article, text="last year", value="2023", precision="year",
                       date_from=datetime.date(2023, 1, 1), date_to=datetime.date(2023, 12, 31))
    DateMentionFactory(article=article, text="the 1990s", value="199", precision="decade",
                       date_from=datetime.date(1990, 1, 1), date_to=datetime.date(1999, 12, 31))
    DateMentionFactory(article=article, text="early 2024", value="2024", precision="year", mod="START",
                       date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2024, 4, 30))
    DateMentionFactory(article=article, text="July", value="2024-07", precision="month",
                       date_from=datetime.date(2024, 7, 1), date_to=datetime.date(2024, 7, 31))
    DateMentionFactory(article=article, text="next week", state=TagState.REJECTED, label="Rejected date")
    CorrectionFactory(article=article, text="The visit lasts two days, not three.",
                      created_at=datetime.datetime(2024, 7, 3, 9, tzinfo=datetime.timezone.utc))
    return article


class TestArticlePage:
    def test_shows_the_article_with_its_accepted_tags(self, client, article):
        response = client.get(article.get_absolute_url())
        page = html(response)
        assert response.status_code == 200 and h1_count(response) == 1
        assert "<h1>Kamikawa to visit Cambodia</h1>" in page
        assert "The foreign minister&#x27;s first official visit." in page
        assert "Reporter Ry" in page
        assert '<span class="dateline">Tokyo</span>' in page
        assert '<a href="https://www.example.org/story" rel="noopener nofollow">' in page
        assert "<p>First paragraph with &lt;b&gt;markup&lt;/b&gt;.</p>" in page
        assert "<p>Second paragraph.</p>" in page
        for name, url in [("Yoko Kamikawa", "/people/yoko-kamikawa/"), ("ASEAN", "/organisations/asean/"),
                          ("Phnom Penh", "/places/phnom-penh/"), ("Diplomacy", "/topics/diplomacy/")]:
            assert f'<a href="{url}">{name}</a>' in page
        assert "Pending Person" not in page and "Rejected Person" not in page
        assert "Rejected date" not in page

    def test_dates_read_as_precisely_as_the_text_says(self, client, article):
        page = html(client.get(article.get_absolute_url()))
        assert '<span class="date-phrase">5–6 July 2024</span>' in page
        assert '<time datetime="2024-07" class="date-phrase">July 2024</time>' in page
        assert '<time datetime="2023" class="date-phrase">2023</time>' in page
        assert '<span class="date-phrase">the 1990s</span>' in page
        assert '<span class="date-phrase">early 2024</span>' in page
        assert "precise to the decade" in page and "written “last year”" in page

    def test_corrections_are_dated(self, client, article):
        page = html(client.get(article.get_absolute_url()))
        assert '<time datetime="2024-07-03T09:00:00+00:00">3 July 2024</time>: The visit lasts two days' in page

    def test_related_articles_share_the_most_tags_and_are_live(self, client, article):
        kamikawa = article.person_tags.get(relation="about").person
        diplomacy = article.topic_tags.get().topic
        close = ArticleFactory(headline="Shares two tags")
        PersonTagFactory(article=close, person=kamikawa)
        TopicTagFactory(article=close, topic=diplomacy)
        loose = ArticleFactory(headline="Shares one tag")
        TopicTagFactory(article=loose, topic=diplomacy)
        TopicTagFactory(article=DraftFactory(headline="Draft sharing a tag"), topic=diplomacy)
        PersonTagFactory(article=ArticleFactory(headline="Pending share"), person=kamikawa,
                         state=TagState.SUGGESTED)
        ArticleFactory(headline="Unrelated")
        page = html(client.get(article.get_absolute_url()))
        related = page[page.index("Related articles"):]
        assert related.index("Shares two tags") < related.index("Shares one tag")
        for absent in ("Draft sharing a tag", "Pending share", "Unrelated"):
            assert absent not in related

    def test_related_candidates_are_the_latest_few_per_tag(self, article, monkeypatch):
        """A tag on many articles does not make them all candidates: only its
        latest RELATED_CANDIDATES; an older article sharing two tags still
        ranks first when one of its tags is rare."""
        monkeypatch.setattr("articles.views.RELATED_CANDIDATES", 3)
        kamikawa = article.person_tags.get(relation="about").person
        diplomacy = article.topic_tags.get().topic
        old_close = ArticleFactory(headline="Old but close")
        PersonTagFactory(article=old_close, person=kamikawa)
        TopicTagFactory(article=old_close, topic=diplomacy)
        for n in range(5):
            TopicTagFactory(article=ArticleFactory(headline=f"Crowd {n}"), topic=diplomacy)
        loaded = article_page_data(Article.objects.all()).get(pk=article.pk)
        related = [a.headline for a in related_articles(loaded)]
        assert related[0] == "Old but close"
        assert len(related) == 4  # the rare tag's article and the crowd's latest three
        assert "Crowd 0" not in related and "Crowd 1" not in related

    def test_related_articles_take_one_query(self, article):
        TopicTagFactory(topic=article.topic_tags.get().topic)
        loaded = article_page_data(Article.objects.all()).get(pk=article.pk)
        with CaptureQueriesContext(connection) as queries:
            assert len(related_articles(loaded)) == 1
        assert len(queries) == 1

    @pytest.mark.parametrize("changes", [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"status": Article.Status.APPROVED},
        {"status": Article.Status.UNPUBLISHED},
        {"status": Article.Status.ARCHIVED},
        {"published_at": NOW + DAY},
        {"embargo_until": NOW + DAY},
    ])
    def test_articles_that_are_not_live_are_404(self, client, article, changes):
        Article.objects.filter(pk=article.pk).update(**changes)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 404
        assert "Kamikawa" not in html(response)

    def test_a_killed_article_is_410_gone_with_its_notice_only(self, client, article):
        Article.objects.filter(pk=article.pk).update(
            status=Article.Status.KILLED, kill_notice="Withdrawn <for legal reasons>.")
        response = client.get(article.get_absolute_url())
        assert response.status_code == 410
        page = html(response)
        assert "Withdrawn &lt;for legal reasons&gt;." in page
        assert "Kamikawa" not in page and "First paragraph" not in page

    def test_an_unknown_article_is_a_friendly_404(self, client):
        response = client.get("/articles/no-such-article/")
        assert response.status_code == 404
        assert "<h1>Page not found</h1>" in html(response)
        assert 'action="/search/"' in html(response)

    def test_json_ld_open_graph_twitter_and_canonical(self, client, article):
        page = html(client.get(article.get_absolute_url()))
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == "Kamikawa to visit Cambodia"
        assert data["datePublished"].startswith(article.published_at.strftime("%Y-%m-%dT%H:%M"))
        assert "dateModified" in data
        assert data["author"] == [{"@type": "Person", "name": "Reporter Ry",
                                   "url": "http://testserver/people/reporter-ry/"}]
        assert data["publisher"]["name"] == "Newsroom"
        about = {(t["@type"], t["name"]) for t in data["about"]}
        assert ("Person", "Yoko Kamikawa") in about and ("Thing", "Diplomacy") in about
        assert ("Organization", "ASEAN") in {(t["@type"], t["name"]) for t in data["mentions"]}
        assert "Pending Person" not in json.dumps(data)
        canonical = f"http://testserver{article.get_absolute_url()}"
        assert f'<link rel="canonical" href="{canonical}">' in page
        assert f'<meta property="og:url" content="{canonical}">' in page
        assert '<meta property="og:title" content="Kamikawa to visit Cambodia">' in page
        assert '<meta name="twitter:card" content="summary">' in page


class TestStaffPreview:
    def url(self, article):
        return reverse("articles:article_preview", kwargs={"slug": article.slug})

    @pytest.mark.parametrize("status", list(Article.Status))
    def test_staff_preview_any_article_marked_not_public_and_never_cached(self, client, status):
        article = ArticleFactory(headline="Not yet public", status=status)
        client.force_login(UserFactory(is_staff=True))
        response = client.get(self.url(article))
        page = html(response)
        assert response.status_code == 200
        assert "Preview — not public" in page and "<h1>Not yet public</h1>" in page
        assert '<meta name="robots" content="noindex, nofollow">' in page
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response["Cache-Control"] and "ETag" not in response

    def test_anonymous_readers_are_sent_to_the_admin_login(self, client):
        article = DraftFactory()
        response = client.get(self.url(article))
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=/preview/articles/")

    def test_signed_in_non_staff_are_sent_to_the_admin_login(self, client):
        client.force_login(UserFactory(is_staff=False))
        response = client.get(self.url(DraftFactory()))
        assert response.status_code == 302


# --- People, topics, organisations, places -------------------------------------


class TestPeople:
    def test_index_lists_people_with_live_coverage_and_counts_only_that(self, client):
        hun_sen = PersonFactory(name="Hun Sen")
        for _ in range(2):
            PersonTagFactory(person=hun_sen)
        PersonTagFactory(person=hun_sen, article=DraftFactory())
        PersonTagFactory(person=hun_sen, state=TagState.SUGGESTED)
        PersonTagFactory(person=hun_sen, state=TagState.REJECTED)
        PersonTagFactory(person=PersonFactory(name="Only In A Draft"), article=DraftFactory())
        PersonTagFactory(person=PersonFactory(name="Only Suggested"), state=TagState.SUGGESTED)
        page = html(client.get("/people/"))
        assert '<a href="/people/hun-sen/">Hun Sen</a> <span class="count">(2 articles)</span>' in page
        assert "Only In A Draft" not in page and "Only Suggested" not in page

    def test_person_page_roles_articles_and_chart(self, client):
        person = PersonFactory(name="Hun Manet")
        RoleFactory(person=person, title="Prime Minister", start_date=datetime.date(2023, 8, 22))
        RoleFactory(person=person, title="Army commander", start_date=datetime.date(2018, 6, 1),
                    end_date=datetime.date(2023, 8, 21))
        for months_ago in (0, 0, 2):
            PersonTagFactory(person=person, article=ArticleFactory(
                headline=f"Manet story {months_ago}", published_at=NOW - datetime.timedelta(days=31 * months_ago) - HOUR))
        PersonTagFactory(person=person, article=DraftFactory(headline="Draft about Manet"))
        response = client.get("/people/hun-manet/")
        page = html(response)
        assert response.status_code == 200 and h1_count(response) == 1
        assert page.index("Army commander") < page.index("Prime Minister")
        assert "(June 2018 – August 2023)" in page and "(August 2023 – present)" in page
        assert page.count("Manet story") == 3 and "Draft about Manet" not in page
        svg = re.search(r"<svg role=\"img\".*?</svg>", page, re.S)[0]
        assert 'aria-labelledby="chart-title chart-desc"' in svg
        assert '<title id="chart-title">Coverage of Hun Manet per month</title>' in svg
        assert "3 articles from" in svg
        assert svg.count("<rect") == 2
        assert '<a href="/feeds/people/hun-manet/">RSS feed</a>' in page

    def test_the_chart_counts_the_pages_exactly_past_the_cap(self, client, monkeypatch):
        monkeypatch.setattr(CappedPaginator, "cap", 20)
        person = PersonFactory(name="Often Quoted")
        for n in range(45):
            PersonTagFactory(person=person, article=ArticleFactory(published_at=NOW - n * DAY - HOUR))
        page = html(client.get(person.get_absolute_url()))
        assert "Page 1 of 3<" in page and "more than" not in page
        assert client.get(person.get_absolute_url() + "?page=3").status_code == 200

    def test_a_person_without_live_coverage_has_no_page(self, client):
        PersonTagFactory(person=PersonFactory(name="Hidden"), state=TagState.REJECTED)
        PersonTagFactory(person=PersonFactory(name="Drafted"), article=DraftFactory())
        assert client.get("/people/hidden/").status_code == 404
        assert client.get("/people/drafted/").status_code == 404

    def test_a_reporter_has_a_page_listing_what_they_wrote(self, client):
        article = ArticleFactory(headline="Written by the reporter")
        BylineFactory(article=article, person=PersonFactory(name="Ry Sochan"))
        BylineFactory(article=DraftFactory(headline="Unpublished draft"), person=article.byline_set.get().person)
        page = html(client.get("/people/ry-sochan/"))
        assert "Written by Ry Sochan" in page and "Written by the reporter" in page
        assert "Unpublished draft" not in page


class TestTopics:
    def test_tree_nests_sub_topics_and_hides_topics_without_live_coverage(self, client):
        relations = TopicFactory(name="Relations")
        visits = TopicFactory(name="Visits", parent=relations)
        TopicFactory(name="Empty Child", parent=relations)
        TopicTagFactory(topic=visits)
        TopicTagFactory(topic=TopicFactory(name="Suggested Only"), state=TagState.SUGGESTED)
        page = html(client.get("/topics/"))
        assert re.search(r'<a href="/topics/relations/">Relations</a> <span class="count">\(1\)</span>\s*'
                         r'<ul>\s*<li><a href="/topics/visits/">Visits</a>', page)
        assert "Empty Child" not in page and "Suggested Only" not in page

    def test_topic_page_lists_its_articles_and_its_sub_topics_articles(self, client):
        relations = TopicFactory(name="Relations")
        visits = TopicFactory(name="Visits", parent=relations)
        TopicTagFactory(topic=relations, article=ArticleFactory(headline="Parent story"))
        TopicTagFactory(topic=visits, article=ArticleFactory(headline="Child story"))
        TopicTagFactory(topic=visits, article=DraftFactory(headline="Draft child story"))
        page = html(client.get("/topics/relations/"))
        assert "Parent story" in page and "Child story" in page and "Draft child story" not in page
        assert '<a href="/topics/visits/">Visits</a></li>' in page
        TopicFactory(name="Only drafts", parent=relations)
        TopicTagFactory(topic=relations.children.get(name="Only drafts"), article=DraftFactory())
        assert "Only drafts" not in html(client.get("/topics/relations/"))
        assert "<svg role=\"img\"" in page
        child = html(client.get("/topics/visits/"))
        assert '<nav class="breadcrumbs"' in child and '<a href="/topics/relations/">Relations</a>' in child
        assert "Parent story" not in child

    def test_a_topic_whose_subtree_has_no_live_coverage_is_404(self, client):
        TopicTagFactory(topic=TopicFactory(name="Quiet"), article=DraftFactory())
        assert client.get("/topics/quiet/").status_code == 404


class TestOrganisationsAndPlaces:
    def test_organisation_index_and_page(self, client):
        tag = OrganisationTagFactory(organisation__name="JICA", article__headline="JICA funds a bridge")
        OrganisationTagFactory(organisation__name="Rejected Org", state=TagState.REJECTED)
        index = html(client.get("/organisations/"))
        assert '<a href="/organisations/jica/">JICA</a>' in index and "Rejected Org" not in index
        page = html(client.get(tag.organisation.get_absolute_url()))
        assert "JICA funds a bridge" in page and "<svg" in page
        assert client.get("/organisations/rejected-org/").status_code == 404

    def test_place_index_and_page(self, client):
        tag = PlaceTagFactory(place__name="Sihanoukville", article__headline="Port visit")
        PlaceTagFactory(place__name="Draft Place", article=DraftFactory())
        index = html(client.get("/places/"))
        assert "Sihanoukville" in index and "Draft Place" not in index
        assert "Port visit" in html(client.get(tag.place.get_absolute_url()))
        assert client.get("/places/draft-place/").status_code == 404


# --- Timeline, archive, search -------------------------------------------------


class TestTimeline:
    def test_accepted_mentions_of_live_articles_in_order_grouped_by_year(self, client):
        article = ArticleFactory(headline="The visit")
        DateMentionFactory(article=article, label="Visit", text="July 5-6")
        DateMentionFactory(article=article, label="Decade of help", text="the 1990s", value="199",
                           precision="decade", date_from=datetime.date(1990, 1, 1),
                           date_to=datetime.date(1999, 12, 31))
        DateMentionFactory(article=article, label="Early meeting", text="early 2024", value="2024",
                           precision="year", mod="START", date_from=datetime.date(2024, 1, 1),
                           date_to=datetime.date(2024, 4, 30))
        DateMentionFactory(article=article, label="Pending date", state=TagState.SUGGESTED)
        DateMentionFactory(article=DraftFactory(), label="Date of a draft")
        page = html(client.get("/timeline/"))
        assert page.index("The 1990s</h2>") < page.index("2024</h2>")
        assert page.index("Early meeting") < page.index("Visit")
        assert '<span class="date-phrase">5–6 July 2024</span>' in page
        assert '<span class="date-phrase">early 2024</span>' in page
        assert "(precise to the decade)" in page
        assert f'<a href="{article.get_absolute_url()}">The visit</a>' in page
        assert "Pending date" not in page and "Date of a draft" not in page

    def test_filter_by_person_and_by_topic_with_sub_topics(self, client):
        person = PersonFactory(name="Kishida")
        parent = TopicFactory(name="Summits")
        child = TopicFactory(name="ASEAN summits", parent=parent)
        about_kishida = ArticleFactory()
        PersonTagFactory(article=about_kishida, person=person)
        DateMentionFactory(article=about_kishida, label="Kishida visit")
        in_child_topic = ArticleFactory()
        TopicTagFactory(article=in_child_topic, topic=child)
        DateMentionFactory(article=in_child_topic, label="Summit in Phnom Penh")
        DateMentionFactory(label="Something else")
        by_person = html(client.get("/timeline/?person=kishida"))
        assert "Kishida visit" in by_person and "Summit in Phnom Penh" not in by_person
        assert "Something else" not in by_person and "<h1>Timeline: Kishida</h1>" in by_person
        by_topic = html(client.get("/timeline/?topic=summits"))
        assert "Summit in Phnom Penh" in by_topic and "Kishida visit" not in by_topic

    def test_unknown_or_non_public_filters_are_404(self, client):
        PersonTagFactory(person=PersonFactory(name="Pending"), state=TagState.SUGGESTED)
        assert client.get("/timeline/?person=nobody").status_code == 404
        assert client.get("/timeline/?person=pending").status_code == 404
        assert client.get("/timeline/?topic=nothing").status_code == 404

    def test_paginated_keeping_the_filter(self, client):
        person = PersonFactory(name="Busy")
        article = ArticleFactory()
        PersonTagFactory(article=article, person=person)
        for year in range(1900, 1960):
            DateMentionFactory(article=article, value=str(year), precision="year", text=str(year),
                               date_from=datetime.date(year, 1, 1), date_to=datetime.date(year, 12, 31))
        page = html(client.get("/timeline/?person=busy"))
        assert 'href="?person=busy&amp;page=2"' in page
        assert "1959</h2>" in html(client.get("/timeline/?person=busy&page=2"))
        assert client.get("/timeline/?page=3").status_code == 404

    def test_years_from_the_first_date_to_the_last_each_a_page(self, client):
        article = ArticleFactory()
        for year in (1998, 2001):
            DateMentionFactory(article=article, label=f"Event of {year}", value=str(year),
                               precision="year", text=str(year),
                               date_from=datetime.date(year, 1, 1), date_to=datetime.date(year, 12, 31))
        DateMentionFactory(article=DraftFactory(), label="Draft's date", value="2010",
                           precision="year", text="2010", date_from=datetime.date(2010, 1, 1),
                           date_to=datetime.date(2010, 12, 31))
        page = html(client.get("/timeline/"))
        years = re.findall(r'href="\?year=(\d+)"', page)
        assert years == ["1998", "1999", "2000", "2001"]  # not 2010: a draft's date
        only_2001 = html(client.get("/timeline/?year=2001"))
        assert "Event of 2001" in only_2001 and "Event of 1998" not in only_2001
        assert '<a href="?year=2001" aria-current="page">2001</a>' in only_2001
        assert client.get("/timeline/?year=nineteen").status_code == 404

    def test_past_the_cap_the_pages_say_more(self, client, monkeypatch):
        monkeypatch.setattr(CappedPaginator, "cap", 60)
        article = ArticleFactory()
        for year in range(1900, 1970):
            DateMentionFactory(article=article, value=str(year), precision="year", text=str(year),
                               date_from=datetime.date(year, 1, 1), date_to=datetime.date(year, 12, 31))
        assert "Page 1 of more than 2" in html(client.get("/timeline/"))
        assert client.get("/timeline/?page=3").status_code == 404
        assert "1969</h2>" in html(client.get("/timeline/?year=1969"))


class TestArchive:
    def test_years_months_and_no_future(self, client):
        ArticleFactory(headline="July story", published_at=datetime.datetime(2024, 7, 2, 2, tzinfo=datetime.timezone.utc))
        ArticleFactory(headline="December story", published_at=datetime.datetime(2023, 12, 19, 2, tzinfo=datetime.timezone.utc))
        ArticleFactory(headline="Future story", published_at=NOW + DAY)
        DraftFactory(headline="Draft story", published_at=datetime.datetime(2024, 7, 3, tzinfo=datetime.timezone.utc))
        index = html(client.get("/archive/"))
        assert '<a href="/archive/2024/">2024</a>' in index and '<a href="/archive/2023/">2023</a>' in index
        assert "Future story" not in index and "Draft story" not in index
        year = html(client.get("/archive/2024/"))
        assert '<a href="/archive/2024/7/">July</a>' in year and "July story" in year
        assert "December story" not in year and '<a href="/archive/2023/">← 2023</a>' in year
        month = html(client.get("/archive/2024/7/"))
        assert "<h1>Articles of July 2024</h1>" in month and "July story" in month
        assert "Draft story" not in month

    def test_empty_or_invalid_periods_are_404(self, client):
        ArticleFactory(published_at=datetime.datetime(2024, 7, 2, tzinfo=datetime.timezone.utc))
        DraftFactory(published_at=datetime.datetime(2024, 6, 3, tzinfo=datetime.timezone.utc))
        assert client.get("/archive/2019/").status_code == 404
        assert client.get("/archive/2024/6/").status_code == 404  # a draft's month: nothing live
        assert client.get("/archive/2024/7/").status_code == 200
        assert client.get("/archive/2024/13/").status_code == 404
        assert client.get(f"/archive/{NOW.year + 1}/").status_code == 404

    def test_an_empty_archive_is_still_a_page(self, client):
        assert client.get("/archive/").status_code == 200


class TestSearchPage:
    def test_results_with_highlighted_snippets_and_filters(self, client):
        topic = TopicFactory(name="Defence")
        match = ArticleFactory(headline="Naval visit", body="Two Japanese vessels docked at Ream.")
        TopicTagFactory(article=match, topic=topic)
        other = ArticleFactory(headline="Other docking", body="Vessels docked elsewhere.")
        page = html(client.get("/search/?q=vessels"))
        assert "2 results for “vessels”" in page
        assert "<mark>vessels</mark>" in page
        filtered = html(client.get("/search/?q=vessels&topic=defence"))
        assert "1 result for “vessels”" in filtered and other.headline not in filtered
        assert '<span aria-current="true">Defence</span>' in filtered
        assert '<input type="hidden" name="topic" value="defence">' in filtered

    def test_punctuation_only_finds_nothing_and_does_not_fail(self, client):
        ArticleFactory()
        response = client.get('/search/?q="*)(:^-')
        assert response.status_code == 200 and "0 results" in html(response)

    def test_no_query_no_results(self, client):
        ArticleFactory()
        page = html(client.get("/search/"))
        assert "results for" not in page and '<input type="search" id="q"' in page
        assert "Narrow the results" not in page


def facet_items(page: str, heading: str) -> list[str]:
    """The list items under the facet heading `heading`, whitespace squeezed."""
    section = page[page.index('<section class="facets"'):]
    section = section[:section.index("</section>")]
    if f"<h3>{heading}</h3>" not in section:
        return []
    items = section[section.index(f"<h3>{heading}</h3>"):]
    items = items[:items.index("</ul>")]
    return [" ".join(item.split()) for item in re.findall(r"<li[^>]*>(.*?)</li>", items, re.S)]


class TestSearchFacets:
    def test_people_and_topics_of_the_matches_with_counts_and_links_that_narrow(self, client):
        often = PersonFactory(name="Often Named", slug="often")
        once = PersonFactory(name="Once Named", slug="once")
        topic = TopicFactory(name="Shipping", slug="shipping")
        for i in range(3):
            article = ArticleFactory(headline=f"Ferry {i}", body="ferry")
            PersonTagFactory(article=article, person=often)
            TopicTagFactory(article=article, topic=topic)
        PersonTagFactory(article=article, person=once)
        PersonTagFactory(article=ArticleFactory(body="A bus."), person__name="Not In The Matches")
        page = html(client.get("/search/?q=ferry&page=1"))
        assert facet_items(page, "People") == [
            '<a href="?q=ferry&amp;person=often">Often Named</a> <span class="count">(3)</span>',
            '<a href="?q=ferry&amp;person=once">Once Named</a> <span class="count">(1)</span>',
        ]
        assert facet_items(page, "Topics") == [
            '<a href="?q=ferry&amp;topic=shipping">Shipping</a> <span class="count">(3)</span>']
        assert "Counted among" not in page  # every match was counted

    def test_the_chosen_ones_are_shown_apart_with_a_link_to_remove_them(self, client):
        person = PersonFactory(name="Chosen One", slug="chosen")
        other = PersonFactory(name="Also There", slug="also")
        topic = TopicFactory(name="Shipping", slug="shipping")
        article = ArticleFactory(body="ferry")
        PersonTagFactory(article=article, person=person)
        PersonTagFactory(article=article, person=other)
        TopicTagFactory(article=article, topic=topic)
        page = html(client.get("/search/?q=ferry&person=chosen&topic=shipping"))
        assert "1 result for “ferry”" in page
        assert facet_items(page, "People") == [
            '<span aria-current="true">Chosen One</span> <a href="?q=ferry&amp;topic=shipping">Remove'
            '<span class="visually-hidden"> Chosen One</span></a>',
            '<a href="?q=ferry&amp;person=also&amp;topic=shipping">Also There</a> <span class="count">(1)</span>',
        ]
        assert facet_items(page, "Topics") == [
            '<span aria-current="true">Shipping</span> <a href="?q=ferry&amp;person=chosen">Remove'
            '<span class="visually-hidden"> Shipping</span></a>']
        # A new search keeps what was chosen, which stays visible with its Remove link.
        assert '<input type="hidden" name="person" value="chosen">' in page

    def test_no_draft_and_no_undecided_tag_leaks_into_the_facets(self, client):
        live = ArticleFactory(headline="Live ferry", body="ferry")
        PersonTagFactory(article=live, person__name="Public Person")
        PersonTagFactory(article=live, person__name="Suggested Person", state=TagState.SUGGESTED)
        TopicTagFactory(article=live, topic__name="Suggested Topic", state=TagState.SUGGESTED)
        for hidden in (DraftFactory(body="ferry"), ArticleFactory(body="ferry", published_at=NOW + DAY),
                       ArticleFactory(body="ferry", status=Article.Status.ARCHIVED)):
            PersonTagFactory(article=hidden, person__name=f"Person of {hidden.status} {hidden.pk}")
            TopicTagFactory(article=hidden, topic__name=f"Topic of {hidden.status} {hidden.pk}")
        page = html(client.get("/search/?q=ferry"))
        assert "1 result for “ferry”" in page
        assert [re.sub("<.*?>", "", item) for item in facet_items(page, "People")] == ["Public Person (1)"]
        assert facet_items(page, "Topics") == []
        for leak in ("Suggested", "Person of", "Topic of"):
            assert leak not in page

    def test_counted_among_the_best_matches_when_there_are_more(self, client, monkeypatch):
        from articles.views import SearchView

        monkeypatch.setattr(SearchView, "facet_sample", 2)
        best = ArticleFactory(headline="Ferry ferry", body="ferry ferry")
        PersonTagFactory(article=best, person__name="In The Best")
        worst = ArticleFactory(headline="Other", body="A long text that says ferry once. " + "Filler. " * 50)
        PersonTagFactory(article=worst, person__name="In The Worst")
        ArticleFactory(headline="Ferry again", body="ferry")
        page = html(client.get("/search/?q=ferry"))
        assert "3 results for “ferry”" in page
        assert "Counted among the 2 most relevant results." in page
        assert [re.sub("<.*?>", "", item) for item in facet_items(page, "People")] == ["In The Best (1)"]


# --- Errors --------------------------------------------------------------------


def test_500_page_is_standalone_and_friendly(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


# --- Hostile content -----------------------------------------------------------

EVIL = '</script><script>alert(1)</script> {{ x }} <b>bold</b>'


def test_hostile_content_renders_inert_everywhere(client):
    person = PersonFactory(name=f"Person {EVIL}", slug="evil-person")
    topic = TopicFactory(name=f"Topic {EVIL}", slug="evil-topic")
    article = ArticleFactory(headline=f"Headline {EVIL}", standfirst=f"Standfirst {EVIL}",
                             body=f"Body {EVIL}\n\nMore {EVIL}", slug="evil-article",
                             published_at=NOW - HOUR)
    PersonTagFactory(article=article, person=person, relation="about")
    TopicTagFactory(article=article, topic=topic)
    OrganisationTagFactory(article=article, organisation__name=f"Org {EVIL}", organisation__slug="evil-org")
    PlaceTagFactory(article=article, place__name=f"Place {EVIL}", place__slug="evil-place")
    DateMentionFactory(article=article, text=f"when {EVIL}", label=f"Label {EVIL}")
    CorrectionFactory(article=article, text=f"Correction {EVIL}")
    BylineFactory(article=article, person=PersonFactory(name=f"Reporter {EVIL}", slug="evil-reporter"))
    collection_of([article], name=f"Collection {EVIL}")
    killed = ArticleFactory(slug="killed", status=Article.Status.KILLED, kill_notice=f"Notice {EVIL}")
    year, month = article.published_at.year, article.published_at.month
    urls = ["/", "/articles/evil-article/", "/people/", "/people/evil-person/", "/people/evil-reporter/",
            "/topics/", "/topics/evil-topic/", "/organisations/", "/organisations/evil-org/",
            "/places/", "/places/evil-place/", "/timeline/", "/timeline/?person=evil-person",
            "/timeline/?topic=evil-topic", "/archive/", f"/archive/{year}/",
            f"/archive/{year}/{month}/", "/search/?q=headline", f"/search/?q={EVIL}",
            f"/articles/{killed.slug}/"]
    for url in urls:
        response = client.get(url)
        page = html(response)
        assert response.status_code in (200, 410), url
        assert "<script>alert(1)" not in page, url
        assert "<b>bold</b>" not in page, url
    page = html(client.get("/articles/evil-article/"))
    assert "{{ x }}" in page  # shown as text, never evaluated
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1]
    assert "</" not in raw
    data = json.loads(raw)
    assert data["headline"] == f"Headline {EVIL}"
    assert {"@type": "Person", "name": f"Person {EVIL}",
            "url": "http://testserver/people/evil-person/"} in data["about"]


# --- Query budgets -------------------------------------------------------------

# Each page runs the same number of queries with 1 article as with 30, each
# carrying several tags of every kind. Measured on a cold cache, so each
# count includes the one query finding the next scheduled publication.
PAGES = {
    "home": (lambda w: "/", 10),  # unrendered: the page, then its articles
    "article": (lambda w: w["articles"][0].get_absolute_url(), 10),
    "people": (lambda w: "/people/", 4),
    "person": (lambda w: w["person"].get_absolute_url(), 9),  # unrendered: the page, then its articles
    "reporter": (lambda w: w["reporter"].get_absolute_url(), 5),
    "topics": (lambda w: "/topics/", 2),
    "topic": (lambda w: w["topic"].get_absolute_url(), 9),
    "organisations": (lambda w: "/organisations/", 3),
    "organisation": (lambda w: w["organisation"].get_absolute_url(), 7),
    "places": (lambda w: "/places/", 3),
    "place": (lambda w: w["place"].get_absolute_url(), 7),
    "timeline": (lambda w: "/timeline/", 5),
    # Filtered: the record's count, then (a record on few articles) their ids.
    "timeline_person": (lambda w: f"/timeline/?person={w['person'].slug}", 8),
    "timeline_topic": (lambda w: f"/timeline/?topic={w['topic'].slug}", 8),
    "archive": (lambda w: "/archive/", 6),  # its years: the kept counts and those not live yet
    "archive_year": (lambda w: f"/archive/{w['articles'][0].published_at.year}/", 9),
    # A month: not the days it has articles on (its page does not list them).
    "archive_month": (lambda w: "/archive/{0.year}/{0.month}/".format(w["articles"][0].published_at), 8),
    # Searches: the newest matches' bound (articles.search.by_relevance; on
    # PostgreSQL one more, the last id), the results ranked once with their
    # facet tokens, the page's snippets and cards, and a query a facet; with
    # articles not rendered, the articles, their bylines and topics.
    "search": (lambda w: "/search/?q=cambodia", 11),
    "search_filtered": (lambda w: f"/search/?q=cambodia&person={w['person'].slug}&topic={w['topic'].slug}", 13),
    "feed_latest": (lambda w: "/feeds/latest/", 4),
    "feed_atom": (lambda w: "/feeds/latest/atom/", 4),
    "feed_topic": (lambda w: f"/feeds/topics/{w['topic'].slug}/", 5),
    "feed_person": (lambda w: f"/feeds/people/{w['person'].slug}/", 5),
    "sitemap": (lambda w: "/sitemap.xml", 11),
    "sitemap_news": (lambda w: "/sitemap-news.xml", 3),
    "robots": (lambda w: "/robots.txt", 1),
}


@pytest.mark.parametrize("rendered", [False, True], ids=["unrendered", "rendered"])
@pytest.mark.parametrize("name", PAGES)
def test_each_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries, name,
                                                     rendered):
    """Rendered: the articles have their stored renditions (lists of cards
    then run fewer queries, and as many for 1 article as for 30)."""
    url_of, budget = PAGES[name]
    counts = []
    for n, world_name in ((1, "Small"), (30, "Large")):
        world = build_world(n, world_name)
        if rendered:
            renditions.build(Article.objects.values_list("pk", flat=True))
        cache.clear()
        with django_assert_max_num_queries(budget) as queries:
            response = client.get(url_of(world))
        assert response.status_code == 200, (name, n)
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries with 1 article, {counts[1]} with 30"


# --- The chart -----------------------------------------------------------------


def test_chart_fills_empty_months_and_scales_to_the_busiest():
    chart = coverage_chart({datetime.date(2024, 1, 1): 4, datetime.date(2024, 3, 1): 2})
    assert [b.count for b in chart.bars] == [0] * 9 + [4, 0, 2]  # at least a year wide
    assert chart.first == datetime.date(2023, 4, 1) and chart.last == datetime.date(2024, 3, 1)
    assert chart.peak.month == datetime.date(2024, 1, 1) and chart.total == 6
    assert chart.bars[-3].height == 2 * chart.bars[-1].height
    assert chart.bars[-2].label == "February 2024: 0 articles"
    assert coverage_chart({}).bars == []
    long = coverage_chart({datetime.date(2000, 1, 1): 1, datetime.date(2024, 12, 1): 1})
    assert len(long.bars) == 240 and long.last == datetime.date(2024, 12, 1)


def test_the_charts_svg_draws_its_bars():
    """The SVG is drawn in one pass without making the bars: the same bars."""
    counts = {datetime.date(2000 + i // 12, i % 12 + 1, 1): (i * 7) % 13 for i in range(300)}
    chart = coverage_chart(counts)
    drawn = "".join(
        f'<rect x="{bar.x}" y="{bar.y}" width="10" height="{bar.height}"><title>{bar.label}</title></rect>\n    '
        if bar.count else "\n    " for bar in chart.bars)
    assert chart.rects == drawn and len(chart.bars) == 240 and chart.bars[0].x == 0


def test_seed_articles_render_on_every_page(client, seed):
    live = Article.objects.live()
    assert live.count() == 5
    for article in live:
        assert client.get(article.get_absolute_url()).status_code == 200
    timeline = html(client.get("/timeline/?page=1"))
    for phrase in ("5–6 July 2024", "the 1990s", "early 2024", "2024–2028", "January–February 2023"):
        assert phrase in timeline
    for url in ("/", "/people/", "/topics/", "/organisations/", "/places/", "/archive/"):
        assert client.get(url).status_code == 200
