"""A reader's tour of the public site in headless Chromium: the home page, an
article, the timeline; on a desktop and on a phone-sized screen."""

import datetime
import json

import pytest
from django.utils import timezone

from articles.models import TagState
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    DateMentionFactory,
    PersonFactory,
    PersonTagFactory,
    TopicFactory,
    TopicTagFactory,
)
from tests.public_helpers import DAY, collection_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    now = timezone.now()
    kamikawa = PersonFactory(name="Yoko Kamikawa")
    diplomacy = TopicFactory(name="Diplomacy")
    visit = ArticleFactory(
        headline="Kamikawa to make first official visit to Cambodia",
        standfirst="The foreign minister will meet Hun Manet and Hun Sen.",
        body="Japanese Foreign Minister Yoko Kamikawa will visit Cambodia from July 5-6.\n\n"
             "She will meet Prime Minister Hun Manet.",
        original_url="https://www.example.org/kamikawa-visit",
        published_at=now - DAY,
    )
    BylineFactory(article=visit, person=PersonFactory(name="Ry Sochan"))
    PersonTagFactory(article=visit, person=kamikawa, relation="about")
    PersonTagFactory(article=visit, person=PersonFactory(name="Not Yet Accepted"), state=TagState.SUGGESTED)
    TopicTagFactory(article=visit, topic=diplomacy)
    DateMentionFactory(article=visit, label="Kamikawa's official visit")
    DateMentionFactory(article=visit, text="the 1990s", value="199", precision="decade",
                       date_from=datetime.date(1990, 1, 1), date_to=datetime.date(1999, 12, 31),
                       label="Start of Japan's support")
    CorrectionFactory(article=visit, text="The visit lasts two days.")
    older = ArticleFactory(headline="Cambodia and Japan pledge to broaden ties", published_at=now - 3 * DAY)
    TopicTagFactory(article=older, topic=diplomacy)
    DateMentionFactory(article=older, text="early 2024", value="2024", precision="year", mod="START",
                       date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2024, 4, 30),
                       label="Development cooperation meeting")
    collection_of([visit, older], name="Kamikawa in Cambodia")
    return {"visit": visit}


def test_a_reader_tours_the_site(live_server, new_page, screenshot, site):
    page = new_page()

    response = page.goto(f"{live_server.url}/")
    assert response.status == 200 and response.headers.get("etag")
    assert page.locator("h1").count() == 1
    assert page.locator(".featured h2").inner_text() == "Kamikawa in Cambodia"
    featured = page.locator(".featured .card-title").all_inner_texts()
    assert featured == ["Kamikawa to make first official visit to Cambodia",
                        "Cambodia and Japan pledge to broaden ties"]
    # The stylesheet is served and applied: the skip link sits off-screen until focused.
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    screenshot(page, "public-home")

    page.click(".featured .card-title a >> nth=0")
    page.wait_for_url(f"**{site['visit'].get_absolute_url()}")
    assert page.locator("h1").inner_text() == "Kamikawa to make first official visit to Cambodia"
    assert page.locator(".meta").first.inner_text().startswith("By Ry Sochan")
    assert page.locator(".source a").first.get_attribute("href") == "https://www.example.org/kamikawa-visit"
    assert page.locator(".body p").count() == 2
    assert page.locator(".corrections li").inner_text().endswith("The visit lasts two days.")
    assert page.locator("#people-heading + ul a").all_inner_texts() == ["Yoko Kamikawa"]
    assert page.get_by_text("Not Yet Accepted").count() == 0
    assert page.locator(".dates .date-phrase").all_inner_texts() == ["the 1990s", "5–6 July 2024"]
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "NewsArticle" and data["headline"].startswith("Kamikawa")
    assert page.locator('link[rel="canonical"]').get_attribute("href").endswith(site["visit"].get_absolute_url())
    screenshot(page, "public-article")

    page.click("nav.site-nav >> text=Timeline")
    page.wait_for_url("**/timeline/")
    assert page.locator("h1").inner_text() == "Timeline"
    assert page.locator(".timeline-period h2").all_inner_texts() == ["The 1990s", "2024"]
    phrases = page.locator(".timeline .date-phrase").all_inner_texts()
    assert phrases == ["the 1990s", "early 2024", "5–6 July 2024"]
    page.click(".timeline >> text=Cambodia and Japan pledge to broaden ties")
    page.wait_for_url("**/articles/cambodia-and-japan-pledge-to-broaden-ties/")
    page.go_back()
    screenshot(page, "public-timeline")


def test_pages_fit_a_phone_screen(live_server, browser, screenshot, site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        for path, name in [("/", "phone-home"), (site["visit"].get_absolute_url(), "phone-article"),
                           ("/timeline/", "phone-timeline"), ("/people/yoko-kamikawa/", "phone-person")]:
            assert page.goto(f"{live_server.url}{path}").status == 200
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
            screenshot(page, name)
        chart = page.locator("svg[role=img]")
        assert chart.get_attribute("aria-labelledby") == "chart-title chart-desc"
        assert "1 article" in page.locator("svg desc").text_content()
    finally:
        context.close()
