"""A reporter submits, an editor accepts a suggested tag and approves, a
publisher publishes, and an anonymous reader sees the article."""

import pytest

from articles.models import Article, ArticlePerson, TagState
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    PersonTagFactory,
    TopicTagFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def click_workflow(page, label):
    page.click(f"#workflow-panel button:has-text('{label}')")
    page.wait_for_selector(".messagelist")


def test_from_draft_to_public(live_server, new_page, screenshot):
    reporter = UserFactory(username="reporter", group="Reporter", password=PASSWORD)
    UserFactory(username="editor", group="Editor", password=PASSWORD)
    UserFactory(username="publisher", group="Publisher", password=PASSWORD)
    article = ArticleFactory(
        status=Article.Status.DRAFT, created_by=reporter, published_at=None,
        headline="Kamikawa to visit Phnom Penh",
        body="Foreign Minister Yoko Kamikawa will visit Cambodia from July 5-6.",
    )
    TopicTagFactory(article=article)
    suggestion = PersonTagFactory(
        article=article, person=PersonFactory(name="Yoko Kamikawa"), state=TagState.SUGGESTED,
        evidence=[{"start": 17, "end": 30, "text": "Yoko Kamikawa"}],
    )
    change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"

    page = new_page()
    log_in(page, live_server, "reporter")
    page.goto(change_url)
    click_workflow(page, "Submit for review")
    assert "now in review" in page.inner_text(".messagelist")
    screenshot(page, "workflow-1-reporter-submitted")

    page = new_page()
    log_in(page, live_server, "editor")
    page.goto(change_url)
    assert "Yoko Kamikawa" in page.inner_text("#tag-review mark")
    page.click("#tag-review button:has-text('Accept')")
    page.wait_for_selector(".messagelist")
    assert ArticlePerson.objects.get(pk=suggestion.pk).state == TagState.ACCEPTED
    click_workflow(page, "Approve")
    assert "now approved" in page.inner_text(".messagelist")
    screenshot(page, "workflow-2-editor-approved")

    page = new_page()
    log_in(page, live_server, "publisher")
    page.goto(change_url)
    click_workflow(page, "Publish")
    assert "now published" in page.inner_text(".messagelist")
    screenshot(page, "workflow-3-publisher-published")

    reader = new_page()
    response = reader.goto(f"{live_server.url}/articles/{article.slug}/")
    assert response.status == 200
    assert reader.inner_text("h1") == "Kamikawa to visit Phnom Penh"
    assert reader.locator("a", has_text="Yoko Kamikawa").count() >= 1
    screenshot(reader, "workflow-4-public-article")


def test_an_unpublished_article_is_not_public(live_server, new_page):
    article = ArticleFactory(status=Article.Status.REVIEW, headline="Not yet")
    response = new_page().goto(f"{live_server.url}/articles/{article.slug}/")
    assert response.status == 404


def test_the_banner_warns_at_once_that_a_colleague_saved(live_server, new_page):
    """The first poll is on load (not 15 s later): a save made between the
    page being rendered and its first poll is announced straight away."""
    from articles import curation

    UserFactory(username="editor", group="Editor", password=PASSWORD)
    colleague = UserFactory(username="colleague", group="Editor")
    article = ArticleFactory(status=Article.Status.DRAFT, headline="Before")
    page = new_page()
    log_in(page, live_server, "editor")

    def colleague_saves_first(route):
        if Article.objects.get(pk=article.pk).headline == "Before":
            curation.edit_article(article=Article.objects.get(pk=article.pk), user=colleague,
                                  expected_version=article.version, changes={"headline": "Theirs"})
        route.continue_()

    page.route("**/presence/**", colleague_saves_first)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    warning = page.wait_for_selector("#presence-banner p.newsroom-live", timeout=5000)
    assert "colleague saved this article since you opened it" in warning.inner_text()
