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


def test_every_registered_model_has_working_list_and_add_pages(client, superuser, rf):
    ArticleFactory()
    client.force_login(superuser)
    request = rf.get("/")
    request.user = superuser
    for model, model_admin in site._registry.items():
        if model._meta.app_label != "articles":
            continue  # Django's and the libraries' admins are theirs to test
        info = model._meta.app_label, model._meta.model_name
        # The read-only lists (tags across articles, the transition log) add nothing.
        names = ["changelist", "add"] if model_admin.has_add_permission(request) else ["changelist"]
        for name in names:
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
    article.refresh_from_db()  # the decision is an edit: a new version
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


# --- Tag decisions and the form opened before them ----------------------------


def test_a_form_opened_before_a_one_click_accept_cannot_undo_it(client, editor):
    article = DraftFactory(headline="Original")
    person = PersonFactory(name="Yoko Kamikawa")
    tag = PersonTagFactory(article=article, person=person, state=TagState.SUGGESTED)
    # The editor's form, opened now, carries the tag row as suggested.
    opened = article_form_data(article, headline="Mine", **{
        "person_tags-TOTAL_FORMS": 1, "person_tags-INITIAL_FORMS": 1,
        "person_tags-0-id": tag.pk, "person_tags-0-article": article.pk,
        "person_tags-0-person": person.pk, "person_tags-0-relation": "about",
        "person_tags-0-state": TagState.SUGGESTED, "person_tags-0-confidence": "",
    })
    colleague = UserFactory(username="colleague", group="Editor")
    client.force_login(colleague)
    client.post(reverse("admin:articles_article_decide", args=[article.pk, "people", tag.pk, "accept"]))
    client.force_login(editor)
    response = client.post(change_url(article), opened)
    assert response.status_code == 200
    assert "colleague changed this article" in response.content.decode()
    tag.refresh_from_db()
    assert (tag.state, tag.relation) == (TagState.ACCEPTED, "mentions")
    assert Article.objects.get(pk=article.pk).headline == "Original"


# --- What the workflow panel offers ----------------------------------------------


@pytest.mark.parametrize("status,offered", [
    (S.APPROVED, True), (S.UNPUBLISHED, True), (S.PUBLISHED, False), (S.DRAFT, False),
    (S.REVIEW, False), (S.ARCHIVED, False),
])
def test_schedule_is_offered_only_where_publishing_is(client, publisher, status, offered):
    article = ArticleFactory(status=status)
    client.force_login(publisher)
    content = client.get(change_url(article)).content.decode()
    assert ('value="schedule"' in content) is offered
    assert ('value="correct"' in content) is (status == S.PUBLISHED)


def test_an_editor_is_offered_neither_schedule_nor_correct(client, editor):
    client.force_login(editor)
    approved = client.get(change_url(ArticleFactory(status=S.APPROVED))).content.decode()
    assert 'value="schedule"' not in approved and 'value="publish"' not in approved
    assert 'value="approve"' not in approved  # and what is open is offered: nothing here
    review = client.get(change_url(ArticleFactory(status=S.REVIEW))).content.decode()
    assert 'value="approve"' in review and 'value="schedule"' not in review


# --- Compare revisions -----------------------------------------------------------


def test_compare_says_no_revisions_yet_instead_of_404(client, editor, seed):
    article = Article.objects.first()
    assert not article.history.exists()  # loaddata records no history
    client.force_login(editor)
    response = client.get(reverse("admin:articles_article_compare", args=[article.pk]))
    assert response.status_code == 200
    assert "No revisions yet" in response.content.decode()


def test_compare_with_a_bad_revision_is_404(client, editor):
    article = DraftFactory()
    client.force_login(editor)
    url = reverse("admin:articles_article_compare", args=[article.pk])
    assert client.get(url + "?a=999999").status_code == 404
    assert client.get(url + "?b=x").status_code == 404


def test_byline_changes_are_revisions_shown_in_compare(client, editor):
    from articles.models import Byline

    article = DraftFactory(headline="First")
    client.force_login(editor)
    person = PersonFactory(name="Ry Sochan")
    data = article_form_data(article, headline="Second", **{
        "byline_set-TOTAL_FORMS": 1, "byline_set-0-person": person.pk, "byline_set-0-role": "author",
        "byline_set-0-position": 1,
    })
    assert client.post(change_url(article), data).status_code == 302
    byline = Byline.objects.get(article=article)
    assert byline.history.get().history_user == editor
    older = article.history.order_by("history_date")[0]
    compare = client.get(reverse("admin:articles_article_compare", args=[article.pk]),
                         {"a": older.history_id})
    rows = [(r["kind"], r["action"], r["state"]) for r in compare.context["tag_changes"]]
    assert ("bylines", "Created", "Author") in rows


# --- Presence ---------------------------------------------------------------------


def presence(client, article, **params):
    return client.get(reverse("admin:articles_article_presence", args=[article.pk]), params)


def test_presence_warns_that_someone_saved_since_the_page_was_opened(client, editor):
    article = DraftFactory()
    opened_at = article.version
    client.force_login(editor)
    data = presence(client, article, version=opened_at).json()
    assert (data["saved_since"], data["warnings"]) == (False, [])
    colleague = UserFactory(username="colleague", group="Editor")
    client.force_login(colleague)
    assert client.post(change_url(article), article_form_data(article, headline="Theirs")).status_code == 302
    client.force_login(editor)
    data = presence(client, article, version=opened_at).json()
    assert data["saved_since"] is True
    assert data["warnings"][0].startswith("colleague saved this article since you opened it")
    assert "Also open now by: colleague." in data["warnings"]


def test_presence_warns_after_a_one_click_decision_too(client, editor):
    tag = PersonTagFactory(state=TagState.SUGGESTED, article__status=S.DRAFT)
    opened_at = tag.article.version
    client.force_login(UserFactory(username="colleague", group="Editor"))
    client.post(reverse("admin:articles_article_decide",
                        args=[tag.article_id, "people", tag.pk, "accept"]))
    client.force_login(editor)
    data = presence(client, tag.article, version=opened_at).json()
    assert data["saved_since"] is True and data["last_edited_by"] == "colleague"


def test_presence_is_shared_by_every_process(client, editor):
    """Kept in the database: another worker (here: an emptied cache) still sees it."""
    from django.core.cache import caches

    article = DraftFactory()
    client.force_login(UserFactory(username="colleague", group="Editor"))
    client.get(change_url(article))
    for cache in caches.all():
        cache.clear()
    client.force_login(editor)
    assert presence(client, article).json()["others"] == ["colleague"]


def test_presence_forgets_who_left(client, editor):
    from articles.models import ArticlePresence

    article = DraftFactory()
    colleague = UserFactory(username="colleague", group="Editor")
    ArticlePresence.objects.create(article=article, user=colleague,
                                   seen_at=timezone.now() - datetime.timedelta(minutes=5))
    client.force_login(editor)
    assert presence(client, article).json()["others"] == []


def test_presence_with_a_bad_version_is_a_400(client, editor):
    article = DraftFactory()
    client.force_login(editor)
    response = presence(client, article, version="seven")
    assert response.status_code == 400 and "version" in response.json()


def test_the_presence_script_polls_at_once(client, editor):
    from django.contrib.staticfiles import finders

    script = open(finders.find("admin/js/newsroom-presence.js")).read()
    # The first poll is on load, not after the interval.
    assert script.index("  poll();") < script.index("setInterval(poll")


# --- Collections -------------------------------------------------------------------


def collection_data(collection, items, **overrides):
    data = {"name": collection.name, "slug": collection.slug, "description": "",
            "items-TOTAL_FORMS": len(items), "items-INITIAL_FORMS": len(items),
            "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000}
    if collection.featured:
        data["featured"] = "on"
    for i, (item, position) in enumerate(items):
        data.update({f"items-{i}-id": item.pk, f"items-{i}-collection": collection.pk,
                     f"items-{i}-article": item.article_id, f"items-{i}-position": position})
    data.update(overrides)
    return data


def test_collections_are_reordered_by_their_position_numbers(client, editor):
    from articles.models import Collection, CollectionItem

    collection = Collection.objects.create(name="Cambodia–Japan: 70 years of relations")
    first, second, third = (CollectionItem.objects.create(collection=collection, article=ArticleFactory(),
                                                          position=n) for n in (1, 2, 3))
    client.force_login(editor)
    url = reverse("admin:articles_collection_change", args=[collection.pk])
    response = client.post(url, collection_data(collection, [(first, 3), (second, 1), (third, 2)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(collection.items.order_by("position").values_list("pk", flat=True)) == [
        second.pk, third.pk, first.pk]
    assert "admin/js/newsroom-reorder.js" in client.get(url).content.decode()


def test_featuring_one_collection_unfeatures_the_other(client, editor):
    from articles.models import Collection

    old = Collection.objects.create(name="Old", featured=True)
    new = Collection.objects.create(name="New")
    client.force_login(editor)
    response = client.post(reverse("admin:articles_collection_change", args=[new.pk]),
                           collection_data(new, [], featured="on"))
    assert response.status_code == 302
    assert list(Collection.objects.filter(featured=True)) == [new]
    old.refresh_from_db()
    assert not old.featured


# --- Changelist filters ------------------------------------------------------------


def listed(client, query):
    response = client.get(reverse("admin:articles_article_changelist") + query)
    assert response.status_code == 200
    return {a.headline for a in response.context["cl"].result_list}


def test_changelist_filters_by_topic_with_sub_topics_source_status_and_editor(client, superuser):
    from tests.factories import SourceFactory, TopicFactory

    client.force_login(superuser)
    parent = TopicFactory(name="Diplomacy")
    child = TopicFactory(name="State visits", parent=parent)
    in_child = ArticleFactory(headline="In the sub-topic")
    TopicTagFactory(article=in_child, topic=child)
    in_parent = ArticleFactory(headline="In the topic")
    TopicTagFactory(article=in_parent, topic=parent)
    TopicTagFactory(article=ArticleFactory(headline="Only suggested"), topic=child,
                    state=TagState.SUGGESTED)
    assert listed(client, f"?topic={parent.slug}") == {"In the sub-topic", "In the topic"}
    assert listed(client, f"?topic={child.slug}") == {"In the sub-topic"}
    assert listed(client, "?topic=no-such-topic") == set()

    post = SourceFactory(name="The Phnom Penh Post")
    ArticleFactory(headline="From the Post", source=post)
    assert listed(client, f"?source__id__exact={post.pk}") == {"From the Post"}

    DraftFactory(headline="A draft")
    assert listed(client, "?status__exact=draft") == {"A draft"}

    colleague = UserFactory(username="colleague", group="Editor")
    ArticleFactory(headline="Last edited by colleague", last_edited_by=colleague)
    assert listed(client, f"?last_edited_by__id__exact={colleague.pk}") == {"Last edited by colleague"}


def test_changelist_search_covers_headline_standfirst_and_body(client, superuser):
    client.force_login(superuser)
    ArticleFactory(headline="Kamikawa arrives")
    ArticleFactory(headline="Standfirst one", standfirst="Talks on Ream naval base")
    ArticleFactory(headline="Body one", body="The Funan Techo canal was discussed.")
    ArticleFactory(headline="Unrelated")
    assert listed(client, "?q=Kamikawa") == {"Kamikawa arrives"}
    assert listed(client, "?q=Ream") == {"Standfirst one"}
    assert listed(client, "?q=Funan") == {"Body one"}


def test_changelist_date_hierarchy(client, superuser):
    client.force_login(superuser)
    ArticleFactory(headline="July 2024", published_at=timezone.make_aware(datetime.datetime(2024, 7, 5, 9)))
    ArticleFactory(headline="March 2023", published_at=timezone.make_aware(datetime.datetime(2023, 3, 1, 9)))
    assert listed(client, "?published_at__year=2024") == {"July 2024"}
    assert listed(client, "?published_at__year=2024&published_at__month=7") == {"July 2024"}
    content = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "published_at__year=2023" in content  # the hierarchy's links


# --- Tag review by hand ---------------------------------------------------------------


def test_a_tag_added_by_hand_in_the_inline_goes_through_curation(client, editor):
    article = DraftFactory(body="Yoko Kamikawa met Hun Manet.")
    person = PersonFactory(name="Yoko Kamikawa")
    client.force_login(editor)
    data = article_form_data(article, **{
        "person_tags-TOTAL_FORMS": 1, "person_tags-0-person": person.pk,
        "person_tags-0-relation": "about", "person_tags-0-state": TagState.ACCEPTED,
        "person_tags-0-confidence": "",
    })
    assert client.post(change_url(article), data).status_code == 302
    tag = ArticlePerson.objects.get(article=article)
    assert (tag.state, tag.origin, tag.decided_by, tag.confidence, tag.relation) == (
        TagState.ACCEPTED, "editor", editor, 1.0, "about")
    assert tag.history.get().history_user == editor
    assert Article.objects.get(pk=article.pk).version == article.version + 1  # once for the save


def test_a_date_mentions_normalized_value_is_edited_in_the_admin(client, editor):
    article = DraftFactory()
    mention = DateMentionFactory(article=article, state=TagState.SUGGESTED)
    client.force_login(editor)
    data = article_form_data(article, **{
        "date_mentions-TOTAL_FORMS": 1, "date_mentions-INITIAL_FORMS": 1,
        "date_mentions-0-id": mention.pk, "date_mentions-0-article": article.pk,
        "date_mentions-0-text": mention.text, "date_mentions-0-date_from": "2024-07-05",
        "date_mentions-0-date_to": "2024-07-07", "date_mentions-0-precision": "day",
        "date_mentions-0-value": "2024-07-05", "date_mentions-0-mod": "", "date_mentions-0-label": "",
        "date_mentions-0-state": TagState.ACCEPTED, "date_mentions-0-confidence": "",
    })
    assert client.post(change_url(article), data).status_code == 302
    mention.refresh_from_db()
    assert (mention.date_to, mention.state, mention.decided_by) == (
        datetime.date(2024, 7, 7), TagState.ACCEPTED, editor)
    bad = {**data, "date_mentions-0-value": "early July", "expected_version": article.version + 1}
    response = client.post(change_url(article), bad)
    assert response.status_code == 200 and "Not a TIMEX3 date value" in response.content.decode()


# --- People ---------------------------------------------------------------------------


def test_merge_moves_bylines_roles_and_aliases_and_folds_double_tags(client, superuser):
    from articles.models import Byline, Role
    from tests.factories import BylineFactory, RoleFactory

    survivor, duplicate = PersonFactory(name="Yoko Kamikawa"), PersonFactory(name="Kamikawa Yoko")
    PersonAlias.objects.create(record=duplicate, name="Foreign Minister Kamikawa")
    RoleFactory(person=duplicate, title="Minister for Foreign Affairs")
    byline = BylineFactory(person=duplicate)
    both = ArticleFactory(body="Kamikawa Yoko and Yoko Kamikawa are one person.")
    PersonTagFactory(article=both, person=survivor, state=TagState.SUGGESTED,
                     evidence=[{"start": 18, "end": 31, "text": "Yoko Kamikawa"}])
    PersonTagFactory(article=both, person=duplicate, state=TagState.ACCEPTED,
                     evidence=[{"start": 0, "end": 13, "text": "Kamikawa Yoko"}])
    client.force_login(superuser)
    client.post(reverse("admin:articles_person_changelist"), {
        "action": "merge_selected", "_selected_action": [survivor.pk, duplicate.pk], "survivor": survivor.pk})
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert Byline.objects.get(pk=byline.pk).person == survivor
    assert Role.objects.get().person == survivor
    assert set(PersonAlias.objects.filter(record=survivor).values_list("name", flat=True)) == {
        "Foreign Minister Kamikawa", "Kamikawa Yoko"}
    tag = ArticlePerson.objects.get(article=both)  # one tag, not two
    assert tag.person == survivor and tag.state == TagState.ACCEPTED
    assert sorted(span["text"] for span in tag.evidence) == ["Kamikawa Yoko", "Yoko Kamikawa"]


def test_the_person_page_lists_every_article_they_are_tagged_in(client, editor):
    person = PersonFactory(name="Hun Manet")
    published = ArticleFactory(headline="Published one")
    draft = DraftFactory(headline="Draft one")
    PersonTagFactory(person=person, article=published)
    PersonTagFactory(person=person, article=draft, state=TagState.SUGGESTED)
    client.force_login(editor)
    content = client.get(reverse("admin:articles_person_change", args=[person.pk])).content.decode()
    assert "Tagged in" in content
    assert f'href="{change_url(published)}">Published one</a> — Published (Accepted)' in content
    assert f'href="{change_url(draft)}">Draft one</a> — Draft (Suggested)' in content


# --- What the article page and list show ----------------------------------------------


def test_an_embargo_is_shown_plainly(client, editor):
    until = timezone.now() + datetime.timedelta(days=1)
    article = ArticleFactory(status=S.APPROVED, headline="Under embargo", embargo_until=until)
    client.force_login(editor)
    changelist = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "embargoed until " + timezone.localtime(until).strftime("%d %b %H:%M") in changelist
    form = client.get(change_url(article)).content.decode()
    assert "cannot go live before then, whatever else happens" in form
    lifted = ArticleFactory(status=S.APPROVED, embargo_until=timezone.now() - datetime.timedelta(hours=1))
    assert "cannot go live before then" not in client.get(change_url(lifted)).content.decode()


def test_the_article_page_shows_its_transition_log(client, publisher):
    from articles import workflow

    article = ArticleFactory(status=S.REVIEW)
    workflow.request_changes(article, user=publisher, comment="Attribute the quote in par 3")
    client.force_login(publisher)
    content = client.get(change_url(article)).content.decode()
    assert "workflow history" in content.lower()
    assert "request_changes" in content and "Attribute the quote in par 3" in content


def test_editorial_notes_are_shown_on_the_article_page(client, editor):
    from articles.models import EditorialNote

    article = DraftFactory()
    EditorialNote.objects.create(article=article, author=editor, text="Call the embassy first.")
    client.force_login(editor)
    content = client.get(change_url(article)).content.decode()
    assert "editorial notes (internal, never public)" in content.lower()
    assert "Call the embassy first." in content


# --- Tags, roles and transitions across articles ----------------------------------------


TAG_LISTS = ["articleperson", "articleorganisation", "articleplace", "articletopic", "datemention",
             "role", "transitionlog"]


@pytest.mark.parametrize("name", TAG_LISTS)
def test_lists_across_articles_have_a_constant_query_count(client, editor, name,
                                                           django_assert_max_num_queries):
    from articles import workflow
    from tests.factories import OrganisationTagFactory, PlaceTagFactory, RoleFactory

    def make():
        article = ArticleFactory(status=S.REVIEW, last_edited_by=editor)
        PersonTagFactory(article=article, decided_by=editor)
        OrganisationTagFactory(article=article)
        PlaceTagFactory(article=article)
        TopicTagFactory(article=article)
        DateMentionFactory(article=article)
        RoleFactory()
        workflow.approve(article, user=editor)

    url = reverse(f"admin:articles_{name}_changelist")
    client.force_login(editor)
    make()
    client.get(url)
    with django_assert_max_num_queries(30) as one:
        assert client.get(url).status_code == 200
    for _ in range(15):
        make()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200 and response.context["cl"].result_count >= 16


def test_every_pending_date_mention_across_articles(client, editor):
    pending = DateMentionFactory(text="next month", state=TagState.SUGGESTED)
    DateMentionFactory(text="last year")
    client.force_login(editor)
    url = reverse("admin:articles_datemention_changelist")
    response = client.get(url + "?state__exact=suggested")
    assert [m.pk for m in response.context["cl"].result_list] == [pending.pk]
    assert change_url(pending.article) in response.content.decode()
    assert client.get(reverse("admin:articles_datemention_add")).status_code == 403


def test_tags_are_decided_from_the_list_through_curation(client, editor):
    tags = [PersonTagFactory(state=TagState.SUGGESTED) for _ in range(2)]
    client.force_login(editor)
    response = client.post(reverse("admin:articles_articleperson_changelist"), {
        "action": "accept_selected", "_selected_action": [t.pk for t in tags]}, follow=True)
    assert "Accepted 2 tags." in response.content.decode()
    for tag in tags:
        fresh = ArticlePerson.objects.select_related("article").get(pk=tag.pk)
        assert (fresh.state, fresh.decided_by) == (TagState.ACCEPTED, editor)
        assert fresh.article.version == tag.article.version + 1


def test_reporters_see_tag_lists_without_the_decision_actions(client):
    tag = PersonTagFactory(state=TagState.SUGGESTED)
    client.force_login(UserFactory(username="reporter", group="Reporter"))
    response = client.get(reverse("admin:articles_articleperson_changelist"))
    assert response.status_code == 200 and "accept_selected" not in response.content.decode()
    client.post(reverse("admin:articles_articleperson_changelist"),
                {"action": "accept_selected", "_selected_action": [tag.pk]})
    assert ArticlePerson.objects.get(pk=tag.pk).state == TagState.SUGGESTED


def test_the_transition_log_is_read_only(client, superuser):
    from articles import workflow

    article = ArticleFactory(status=S.REVIEW)
    workflow.approve(article, user=superuser)
    log = TransitionLog.objects.get()
    client.force_login(superuser)
    url = reverse("admin:articles_transitionlog_change", args=[log.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"comment": "rewritten"})
    assert TransitionLog.objects.get().comment == ""
    assert client.get(reverse("admin:articles_transitionlog_add")).status_code == 403


def test_restore_brings_back_the_revisions_bylines(client, editor):
    from articles.models import Byline

    article = DraftFactory(headline="First")
    first, second = PersonFactory(name="Ry Sochan"), PersonFactory(name="Chea Vannak")
    client.force_login(editor)
    client.post(change_url(article), article_form_data(article, headline="With Ry Sochan", **{
        "byline_set-TOTAL_FORMS": 1, "byline_set-0-person": first.pk, "byline_set-0-role": "author",
        "byline_set-0-position": 1}))
    article.refresh_from_db()
    byline = Byline.objects.get(article=article)
    client.post(change_url(article), article_form_data(article, headline="With Chea Vannak", **{
        "byline_set-TOTAL_FORMS": 1, "byline_set-INITIAL_FORMS": 1, "byline_set-0-id": byline.pk,
        "byline_set-0-article": article.pk, "byline_set-0-person": second.pk,
        "byline_set-0-role": "photographer", "byline_set-0-position": 1}))
    article.refresh_from_db()
    assert article.headline == "With Chea Vannak"
    revision = article.history.get(headline="With Ry Sochan")
    client.post(reverse("admin:articles_article_restore", args=[article.pk, revision.history_id]),
                {"expected_version": article.version})
    article.refresh_from_db()
    assert article.headline == "With Ry Sochan"
    assert list(Byline.objects.filter(article=article).values_list("person", "role")) == [
        (first.pk, "author")]


def test_restore_leaves_bylines_from_before_byline_history_alone(client, editor):
    from articles.models import Byline

    article = DraftFactory(headline="First")
    client.force_login(editor)
    client.post(change_url(article), article_form_data(article, headline="Second"))
    article.refresh_from_db()
    Byline.objects.bulk_create([Byline(article=article, person=PersonFactory())])  # no revision
    older = article.history.order_by("history_date")[0]
    client.post(reverse("admin:articles_article_restore", args=[article.pk, older.history_id]),
                {"expected_version": article.version})
    article.refresh_from_db()
    assert article.headline == "First" and Byline.objects.filter(article=article).count() == 1


def test_an_ambiguous_suggestion_names_the_other_records_it_may_be(client, editor):
    from articles import tagger

    PersonFactory(name="Atsushi Ueno")
    PersonFactory(name="Hiroshi Ueno")
    article = ArticleFactory(status=Article.Status.DRAFT, headline="Envoys meet",
                             body="Atsushi Ueno met Hiroshi Ueno in Tokyo. Ueno said so.")
    tagger.tag_article(article)
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    review = page[page.index('id="tag-review"'):]
    row = review[review.index("<strong>Hiroshi Ueno"):]
    row = row[:row.index("</tr>")]
    assert "Ambiguous:" in row and "Atsushi Ueno" in row
    # A suggestion whose mentions are all its own says nothing of the kind.
    other = review[review.index("<strong>Atsushi Ueno"):]
    assert "Ambiguous:" not in other[:other.index("</tr>")]
