"""articles.curation: tag decisions are recorded as revisions and count as
edits of the article (its version moves, so a form opened before them is
refused instead of undoing them)."""

import datetime

import pytest

from articles import curation, workflow
from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    DateMention,
    PersonCandidate,
    TagOrigin,
    TagState,
)
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    DateMentionFactory,
    PersonFactory,
    PersonTagFactory,
    TopicTagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(username="editor", group="Editor")


def version_of(article):
    return Article.objects.values_list("version", "last_edited_by").get(pk=article.pk)


class TestBulkAccept:
    def test_every_accepted_suggestion_gets_a_revision_by_the_editor(self, editor):
        article = ArticleFactory()
        people = [PersonTagFactory(article=article, state=TagState.SUGGESTED) for _ in range(2)]
        topic = TopicTagFactory(article=article, state=TagState.SUGGESTED)
        rejected = PersonTagFactory(article=article, state=TagState.REJECTED)
        assert curation.accept_all_pending(article, user=editor) == 3
        for tag in [*people, topic]:
            latest = type(tag).history.filter(id=tag.pk).latest()
            assert (latest.state, latest.history_user, latest.history_type) == (
                TagState.ACCEPTED, editor, "~")
            assert latest.history_change_reason == "Accepted all pending"
            assert type(tag).history.filter(id=tag.pk).count() == 2  # created, then accepted
        assert ArticlePerson.history.filter(id=rejected.pk).count() == 1
        assert set(ArticlePerson.objects.filter(article=article).values_list("state", flat=True)) == {
            TagState.ACCEPTED, TagState.REJECTED}
        assert ArticleTopic.objects.get(pk=topic.pk).decided_by == editor

    def test_it_bumps_the_version_once_and_not_at_all_when_nothing_was_pending(self, editor):
        article = ArticleFactory()
        PersonTagFactory(article=article, state=TagState.SUGGESTED)
        TopicTagFactory(article=article, state=TagState.SUGGESTED)
        before = article.version
        curation.accept_all_pending(article, user=editor)
        assert version_of(article) == (before + 1, editor.pk)
        assert curation.accept_all_pending(article, user=editor) == 0
        assert version_of(article) == (before + 1, editor.pk)


class TestDecisionsAreEdits:
    def test_accept_and_reject_bump_the_version_and_name_the_editor(self, editor):
        tag = PersonTagFactory(state=TagState.SUGGESTED)
        article = tag.article
        before = article.version
        curation.accept(tag, user=editor)
        assert version_of(article) == (before + 1, editor.pk)
        assert tag.article.version == before + 1  # the caller's object follows
        curation.reject(tag, user=editor)
        assert version_of(article) == (before + 2, editor.pk)
        assert ArticlePerson.history.filter(id=tag.pk).latest().history_user == editor

    def test_a_decision_makes_an_edit_begun_before_it_stale(self, editor):
        tag = PersonTagFactory(state=TagState.SUGGESTED, article__status=Article.Status.DRAFT)
        opened_at = tag.article.version
        curation.accept(tag, user=UserFactory(username="colleague", group="Editor"))
        with pytest.raises(workflow.StaleVersion, match="colleague changed this article"):
            curation.edit_article(article=Article.objects.get(pk=tag.article_id), user=editor,
                                  expected_version=opened_at, changes={"headline": "Mine"})
        assert ArticlePerson.objects.get(pk=tag.pk).state == TagState.ACCEPTED

    def test_concurrent_decisions_each_count(self, editor):
        """F(): two decisions read the same version and still add up."""
        article = ArticleFactory()
        first = PersonTagFactory(article=article, state=TagState.SUGGESTED)
        second = PersonTagFactory(article=article, state=TagState.SUGGESTED)
        stale_copy = ArticlePerson.objects.select_related("article").get(pk=second.pk)
        before = article.version
        curation.accept(first, user=editor)
        curation.accept(stale_copy, user=editor)  # its article object still says the old version
        assert version_of(article)[0] == before + 2 == stale_copy.article.version

    def test_add_tag_bumps_unless_the_caller_saves_the_article_itself(self, editor):
        article = ArticleFactory()
        before = article.version
        tag = curation.add_tag(ArticlePerson, article=article, user=editor, person=PersonFactory())
        assert (tag.state, tag.origin, tag.decided_by) == (TagState.ACCEPTED, TagOrigin.EDITOR, editor)
        assert version_of(article)[0] == before + 1
        assert ArticlePerson.history.filter(id=tag.pk).get().history_user == editor
        curation.add_tag(ArticlePerson, article=article, user=editor, person=PersonFactory(),
                         bump_version=False)
        assert version_of(article)[0] == before + 1

    def test_correcting_a_date_bumps_the_version(self, editor):
        mention = DateMentionFactory(state=TagState.SUGGESTED)
        before = mention.article.version
        curation.correct_date(mention, user=editor, value="2024-07-06",
                              date_from=datetime.date(2024, 7, 6))
        fresh = DateMention.objects.get(pk=mention.pk)
        assert (fresh.value, fresh.state, fresh.date_from) == ("2024-07-06", TagState.ACCEPTED,
                                                               datetime.date(2024, 7, 6))
        assert version_of(mention.article) == (before + 1, editor.pk)

    def test_creating_a_person_from_a_candidate_bumps_the_version(self, editor):
        article = ArticleFactory(body="Researcher Ek Bunly said so.")
        candidate = PersonCandidate.objects.create(
            article=article, name="Ek Bunly", evidence=[{"start": 11, "end": 19, "text": "Ek Bunly"}])
        before = article.version
        curation.create_person_from_candidate(candidate, user=editor)
        assert version_of(article) == (before + 1, editor.pk)

    def test_a_refused_decision_changes_nothing(self):
        tag = PersonTagFactory(state=TagState.SUGGESTED)
        before = tag.article.version
        with pytest.raises(workflow.TransitionForbidden):
            curation.accept(tag, user=UserFactory(group="Reporter"))
        assert version_of(tag.article) == (before, None)
        assert ArticlePerson.objects.get(pk=tag.pk).state == TagState.SUGGESTED


def test_a_merge_makes_forms_open_on_the_touched_articles_stale():
    admin = UserFactory(username="root", is_superuser=True)
    survivor, duplicate = PersonFactory(name="Hun Sen"), PersonFactory(name="Hun Sen (2)")
    tagged, bylined, untouched = ArticleFactory(), ArticleFactory(), ArticleFactory()
    PersonTagFactory(article=tagged, person=duplicate)
    BylineFactory(article=bylined, person=duplicate)
    opened = {a.pk: a.version for a in (tagged, bylined, untouched)}

    curation.merge_people(survivor=survivor, duplicate=duplicate, user=admin)

    assert version_of(tagged) == (opened[tagged.pk] + 1, admin.pk)
    assert version_of(bylined) == (opened[bylined.pk] + 1, admin.pk)
    assert version_of(untouched)[0] == opened[untouched.pk]
    with pytest.raises(workflow.StaleVersion):
        curation.edit_article(article=tagged, user=admin, expected_version=opened[tagged.pk],
                              changes={"headline": "Overwrites the merge"})
