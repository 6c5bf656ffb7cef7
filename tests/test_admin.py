import datetime

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import timezone

from articles.models import (
    Article,
    ArticlePerson,
    Person,
    PersonAlias,
    TagState,
    TransitionLog,
)
from tests.factories import (
    ArticleFactory,
    DateMentionFactory,
    DraftFactory,
    PersonFactory,
    PersonTagFactory,
    TopicTagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
S = Article.Status
INLINE_PREFIXES = ["byline_set", "person_tags", "organisation_tags", "place_tags", "topic_tags",
                   "date_mentions", "corrections", "editorial_notes", "transitions"]


def article_form_data(article, **overrides):
    """What the admin change form posts for an article without tags."""
    data = {
        "headline": article.headline, "slug": article.slug, "standfirst": article.standfirst,
        "body": article.body, "captions": article.captions, "source": article.source_id or "",
        "original_url": article.original_url, "dateline": "", "metadata_notes": "",
        "published_at_0": "", "published_at_1": "", "embargo_until_0": "", "embargo_until_1": "",
        "expected_version": article.version,
    }
    for prefix in INLINE_PREFIXES:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0,
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    data.update(overrides)
    return data


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def editor(client):
    return UserFactory(username="editor", group="Editor")


@pytest.fixture
def publisher():
    return UserFactory(username="publisher", group="Publisher")


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True)


def test_every_registered_model_has_working_list_and_add_pages(client, superuser):
    ArticleFactory()
    client.force_login(superuser)
    for model in site._registry:
        if model._meta.app_label != "articles":
            continue  # Django's and the libraries' admins are theirs to test
        info = model._meta.app_label, model._meta.model_name
        for name in ["changelist", "add"]:
            response = client.get(reverse(f"admin:{info[0]}_{info[1]}_{name}"))
            assert response.status_code == 200, (model, name)


def test_article_changelist_has_a_constant_query_count(client, superuser, django_assert_max_num_queries):
    client.force_login(superuser)

    def load():
        return client.get(reverse("admin:articles_article_changelist"))

    ArticleFactory()
    load()
    with django_assert_max_num_queries(14) as one:
        assert load().status_code == 200
    for _ in range(25):
        article = ArticleFactory()
        PersonTagFactory(article=article)
        TopicTagFactory(article=article, state=TagState.SUGGESTED)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = load()
    assert response.status_code == 200
    assert b"Pending" in response.content


def test_changelist_filters(client, superuser):
    client.force_login(superuser)
    tagged = ArticleFactory(headline="Tagged")
    person = PersonFactory(name="Yoko Kamikawa")
    PersonTagFactory(article=tagged, person=person)
    DateMentionFactory(article=tagged)
    ArticleFactory(headline="Other")
    url = reverse("admin:articles_article_changelist")
    for query in ["?person=yoko-kamikawa", "?mentioned_from=2024-07-06&mentioned_to=2024-07-31"]:
        content = client.get(url + query).content.decode()
        assert "Tagged" in content and ">Other<" not in content
    assert client.get(url + "?mentioned_from=July").status_code in (200, 302)


def test_a_reporter_edits_their_own_draft_only(client):
    reporter = UserFactory(username="reporter", group="Reporter")
    mine, theirs = DraftFactory(created_by=reporter), DraftFactory()
    client.force_login(reporter)
    response = client.post(change_url(mine), article_form_data(mine, headline="My new headline"))
    assert response.status_code == 302, response.content.decode()[:2000]
    mine.refresh_from_db()
    assert mine.headline == "My new headline" and mine.last_edited_by == reporter
    response = client.post(change_url(theirs), article_form_data(theirs, headline="Hijack"))
    assert response.status_code == 403
    assert Article.objects.get(pk=theirs.pk).headline != "Hijack"


def test_a_stale_save_is_refused_naming_who_saved_first(client, editor):
    article = DraftFactory(headline="Original")
    other = UserFactory(username="colleague", group="Editor")
    opened = article_form_data(article, headline="Mine")
    client.force_login(other)
    assert client.post(change_url(article), article_form_data(article, headline="Theirs")).status_code == 302
    client.force_login(editor)
    response = client.post(change_url(article), opened)
    assert response.status_code == 200
    assert "colleague changed this article" in response.content.decode()
    assert Article.objects.get(pk=article.pk).headline == "Theirs"


def test_the_change_page_offers_the_workflow_and_the_suggestions(client, publisher):
    article = ArticleFactory(status=S.APPROVED, body="Kamikawa will visit Cambodia.")
    PersonTagFactory(article=article, state=TagState.SUGGESTED, person=PersonFactory(name="Yoko Kamikawa"),
                     evidence=[{"start": 0, "end": 8, "text": "Kamikawa"}])
    client.force_login(publisher)
    content = client.get(change_url(article)).content.decode()
    assert 'value="publish"' in content and "Schedule" in content
    assert "Suggestions to review" in content and "<mark>Kamikawa</mark>" in content
    assert f'href="/preview/articles/{article.slug}/"' in content


def test_transitions_from_the_admin_go_through_the_workflow(client, publisher):
    article = ArticleFactory(status=S.APPROVED)
    client.force_login(publisher)
    url = reverse("admin:articles_article_transition", args=[article.pk])
    response = client.post(url, {"transition": "publish"}, follow=True)
    assert "needs at least one accepted topic" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == S.APPROVED
    TopicTagFactory(article=article)
    client.post(url, {"transition": "publish", "workflow_comment": "Go"})
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED
    assert TransitionLog.objects.get(article=article).user == publisher
    client.post(url, {"transition": "correct", "workflow_comment": "A name was misspelt."})
    assert article.corrections.get().text == "A name was misspelt."
    assert client.get(url).status_code == 405


def test_scheduling_from_the_admin(client, publisher):
    article = ArticleFactory(status=S.APPROVED, published_at=None)
    TopicTagFactory(article=article)
    client.force_login(publisher)
    at = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("admin:articles_article_transition", args=[article.pk]),
                {"transition": "schedule", "workflow_at": at})
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.published_at > timezone.now()
    assert not article.is_live


def test_one_click_accept_and_reject(client, editor):
    article = ArticleFactory()
    tag = PersonTagFactory(article=article, state=TagState.SUGGESTED)
    client.force_login(editor)
    client.post(reverse("admin:articles_article_decide", args=[article.pk, "people", tag.pk, "accept"]))
    tag.refresh_from_db()
    assert tag.state == TagState.ACCEPTED and tag.decided_by == editor
    client.post(reverse("admin:articles_article_decide", args=[article.pk, "people", tag.pk, "reject"]))
    assert ArticlePerson.objects.get(pk=tag.pk).state == TagState.REJECTED
    bad = reverse("admin:articles_article_decide", args=[article.pk, "nonsense", tag.pk, "accept"])
    assert client.post(bad).status_code == 404


def test_bulk_actions_report_per_article(client, publisher):
    ready = ArticleFactory(status=S.APPROVED, headline="Ready one")
    TopicTagFactory(article=ready)
    not_ready = ArticleFactory(status=S.APPROVED, headline="No topic")
    draft = DraftFactory(headline="Still a draft")
    client.force_login(publisher)
    response = client.post(reverse("admin:articles_article_changelist"), {
        "action": "publish_selected", "_selected_action": [ready.pk, not_ready.pk, draft.pk],
    }, follow=True)
    content = response.content.decode()
    assert "Publish: 1 article" in content
    assert "“No topic”: The article needs at least one accepted topic." in content
    assert "“Still a draft”: “Publish” is not possible" in content
    assert Article.objects.get(pk=ready.pk).status == S.PUBLISHED


def test_bulk_accept_pending(client, editor):
    article = ArticleFactory()
    PersonTagFactory(article=article, state=TagState.SUGGESTED)
    client.force_login(editor)
    client.post(reverse("admin:articles_article_changelist"),
                {"action": "accept_pending_selected", "_selected_action": [article.pk]})
    assert ArticlePerson.objects.get(article=article).state == TagState.ACCEPTED


def test_desk_counts_link_to_filtered_lists(client, editor):
    ArticleFactory(status=S.REVIEW)
    ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=2))
    PersonTagFactory(state=TagState.SUGGESTED)
    client.force_login(editor)
    content = client.get(reverse("admin:articles_article_desk")).content.decode()
    assert "?status__exact=review" in content and "?queue=scheduled" in content
    scheduled = client.get(reverse("admin:articles_article_changelist") + "?queue=scheduled")
    assert scheduled.context["cl"].result_count == 1
    pending = client.get(reverse("admin:articles_article_changelist") + "?queue=pending")
    assert pending.context["cl"].result_count == 1


def test_calendar_shows_scheduled_and_published_articles(client, editor):
    now = timezone.localtime()
    ArticleFactory(headline="Published this month", published_at=now.replace(day=1, hour=9))
    client.force_login(editor)
    content = client.get(reverse("admin:articles_article_calendar")).content.decode()
    assert "Published this month" in content
    assert client.get(reverse("admin:articles_article_calendar") + "?year=x").status_code == 200


def test_merge_two_people(client, superuser):
    survivor, duplicate = PersonFactory(name="Yoko Kamikawa"), PersonFactory(name="Kamikawa Y.")
    tag = PersonTagFactory(person=duplicate)
    client.force_login(superuser)
    url = reverse("admin:articles_person_changelist")
    data = {"action": "merge_selected", "_selected_action": [survivor.pk, duplicate.pk]}
    assert "Keep which record?" in client.post(url, data).content.decode()
    client.post(url, {**data, "survivor": survivor.pk})
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert ArticlePerson.objects.get(pk=tag.pk).person == survivor
    assert PersonAlias.objects.get(record=survivor).name == "Kamikawa Y."


def test_compare_and_restore_revisions(client, editor):
    article = DraftFactory(headline="First headline")
    client.force_login(editor)
    client.post(change_url(article), article_form_data(article, headline="Second headline"))
    article.refresh_from_db()
    tag = PersonTagFactory(article=article, state=TagState.SUGGESTED, person=PersonFactory(name="Tagged Person"))
    client.post(reverse("admin:articles_article_decide", args=[article.pk, "people", tag.pk, "accept"]))
    client.post(change_url(article), article_form_data(article, headline="Third headline"))
    article.refresh_from_db()
    compare = client.get(reverse("admin:articles_article_compare", args=[article.pk]))
    content = compare.content.decode()
    assert "headline" in content and "Second" in content and "Third" in content
    tag_rows = compare.context["tag_changes"]
    assert [(r["who"], r["state"]) for r in tag_rows] == [(None, "Suggested"), (editor, "Accepted")]
    older = article.history.order_by("history_date")[0]
    client.post(reverse("admin:articles_article_restore", args=[article.pk, older.history_id]),
                {"expected_version": article.version})
    article.refresh_from_db()
    assert article.headline == "First headline" and article.status == S.DRAFT


def test_presence_tells_who_else_has_the_article_open(client, editor):
    article = DraftFactory()
    colleague = UserFactory(username="colleague", group="Editor")
    client.force_login(colleague)
    client.get(change_url(article))
    client.force_login(editor)
    data = client.get(reverse("admin:articles_article_presence", args=[article.pk])).json()
    assert data["others"] == ["colleague"] and data["version"] == article.version


def test_editorial_notes_are_recorded_with_their_author(client, editor):
    article = DraftFactory()
    client.force_login(editor)
    data = article_form_data(article, **{
        "editorial_notes-TOTAL_FORMS": 1, "editorial_notes-0-text": "Check the quote with the desk.",
    })
    assert client.post(change_url(article), data).status_code == 302
    note = article.editorial_notes.get()
    assert note.author == editor and note.text == "Check the quote with the desk."


def test_a_new_person_candidate_is_created_in_one_click(client, editor):
    from articles.models import PersonCandidate

    article = ArticleFactory(body="Researcher Ek Bunly said so.")
    candidate = PersonCandidate.objects.create(
        article=article, name="Ek Bunly", role="researcher",
        evidence=[{"start": 11, "end": 19, "text": "Ek Bunly"}])
    client.force_login(editor)
    content = client.get(change_url(article)).content.decode()
    assert "New people found in the text" in content and "Create person and tag" in content
    client.post(reverse("admin:articles_article_candidate", args=[article.pk, candidate.pk, "create"]))
    tag = ArticlePerson.objects.get(article=article)
    assert tag.person.name == "Ek Bunly" and tag.state == TagState.ACCEPTED


def test_the_tagger_runs_from_an_admin_action(client, editor):
    from articles import tagger

    tagger.reset_cache()
    PersonFactory(name="Hun Manet")
    article = ArticleFactory(body="Prime Minister Hun Manet visited Tokyo last year.")
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_changelist"),
                           {"action": "tag_selected", "_selected_action": [article.pk]}, follow=True)
    assert "Tagged 1 article(s)" in response.content.decode()
    assert ArticlePerson.objects.get(article=article).state == TagState.SUGGESTED
    tagger.reset_cache()
