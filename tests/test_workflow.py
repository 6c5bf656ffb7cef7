import datetime

import pytest
from django.utils import timezone

from articles import curation, workflow
from articles.models import Article, Correction, TagState, TransitionLog
from articles.signals import article_transitioned, public_content_changed
from tests.factories import ArticleFactory, DraftFactory, PersonTagFactory, TopicTagFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def users(db):
    return {
        "reporter": UserFactory(username="reporter", group="Reporter"),
        "other_reporter": UserFactory(username="other", group="Reporter"),
        "editor": UserFactory(username="editor", group="Editor"),
        "publisher": UserFactory(username="publisher", group="Publisher"),
        "admin": UserFactory(username="admin", is_superuser=True),
    }


def ready_article(status, author, **kwargs):
    """An article that passes every guard, in `status`."""
    article = ArticleFactory(status=status, created_by=author, **kwargs)
    TopicTagFactory(article=article)
    return article


# The workflow as the README states it, written out here rather than read
# from articles.workflow, so that a change there has to change this table.
SOURCES = {
    "submit": {S.DRAFT},
    "request_changes": {S.REVIEW},
    "approve": {S.REVIEW},
    "publish": {S.APPROVED, S.UNPUBLISHED},
    "unpublish": {S.PUBLISHED},
    "archive": {S.PUBLISHED, S.UNPUBLISHED},
    "reopen": {S.UNPUBLISHED, S.ARCHIVED},
    "kill": {S.PUBLISHED, S.UNPUBLISHED, S.ARCHIVED},
}
TARGET = {
    "submit": S.REVIEW, "request_changes": S.DRAFT, "approve": S.APPROVED, "publish": S.PUBLISHED,
    "unpublish": S.UNPUBLISHED, "archive": S.ARCHIVED, "reopen": S.DRAFT, "kill": S.KILLED,
}
# role -> transitions it may perform (reporter: on their own article)
ALLOWED = {
    "reporter": {"submit"},
    "other_reporter": set(),
    "editor": {"submit", "request_changes", "approve", "reopen"},
    "publisher": {"submit", "request_changes", "approve", "reopen", "publish", "unpublish",
                  "archive", "kill"},
    "admin": set(SOURCES),
}


def test_the_table_covers_every_transition_the_workflow_defines():
    assert set(workflow.TRANSITIONS) == set(SOURCES)
    for name, t in workflow.TRANSITIONS.items():
        assert (set(t.sources), t.target) == (SOURCES[name], TARGET[name]), name


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("name", list(SOURCES))
def test_role_by_transition_by_state(users, name, status, role):
    article = ready_article(status, author=users["reporter"])
    user = users[role]
    offered = {t.name for t in workflow.available_transitions(article, user)}
    version = article.version
    if status not in SOURCES[name]:
        # The state is checked first: whoever asks, the answer is "not from here".
        assert name not in offered
        with pytest.raises(workflow.TransitionNotAllowed, match="not possible"):
            workflow.perform(article, name, user=user, comment="Reason given")
    elif name in ALLOWED[role]:
        assert name in offered
        workflow.perform(article, name, user=user, comment="Reason given")
        fresh = Article.objects.get(pk=article.pk)
        assert fresh.status == TARGET[name]
        assert fresh.version == version + 1 and fresh.last_edited_by == user
        log = TransitionLog.objects.get(article=article)
        assert (log.transition, log.from_status, log.to_status, log.user) == (name, status, TARGET[name], user)
        return
    else:
        assert name not in offered
        with pytest.raises(workflow.TransitionForbidden):
            workflow.perform(article, name, user=user, comment="Reason given")
    fresh = Article.objects.get(pk=article.pk)
    assert (fresh.status, fresh.version) == (status, version)
    assert not TransitionLog.objects.exists()


@pytest.mark.parametrize("name,wrong_state", [
    ("submit", S.REVIEW), ("approve", S.DRAFT), ("publish", S.REVIEW), ("unpublish", S.DRAFT),
    ("archive", S.APPROVED), ("kill", S.DRAFT), ("reopen", S.PUBLISHED), ("request_changes", S.APPROVED),
])
def test_transitions_refuse_the_wrong_state(users, name, wrong_state):
    article = ready_article(wrong_state, author=users["reporter"])
    with pytest.raises(workflow.TransitionNotAllowed, match="not possible"):
        workflow.perform(article, name, user=users["admin"], comment="x")


def test_unknown_transition(users):
    with pytest.raises(workflow.TransitionNotAllowed, match="no transition called"):
        workflow.perform(DraftFactory(), "teleport", user=users["admin"])


class TestGuards:
    def test_submit_needs_headline_and_body(self, users):
        article = DraftFactory(created_by=users["reporter"], body="  ")
        with pytest.raises(workflow.GuardFailed, match="needs a body"):
            workflow.submit(article, user=users["reporter"])

    def test_approve_needs_a_source(self, users):
        article = ArticleFactory(status=S.REVIEW, source=None)
        with pytest.raises(workflow.GuardFailed, match="needs a source"):
            workflow.approve(article, user=users["editor"])

    def test_publish_needs_an_accepted_topic(self, users):
        article = ArticleFactory(status=S.APPROVED)
        TopicTagFactory(article=article, state=TagState.SUGGESTED)
        with pytest.raises(workflow.GuardFailed) as error:
            workflow.publish(article, user=users["publisher"])
        assert error.value.problems == ["The article needs at least one accepted topic."]
        assert Article.objects.get(pk=article.pk).status == S.APPROVED

    def test_publish_sets_the_publication_time_when_missing(self, users):
        article = ready_article(S.APPROVED, users["reporter"], published_at=None)
        workflow.publish(article, user=users["publisher"])
        article.refresh_from_db()
        assert article.published_at <= timezone.now() and article.is_live

    def test_request_changes_and_kill_need_a_comment(self, users):
        with pytest.raises(workflow.GuardFailed, match="comment"):
            workflow.request_changes(ready_article(S.REVIEW, users["reporter"]), user=users["editor"], comment=" ")
        with pytest.raises(workflow.GuardFailed, match="comment"):
            workflow.kill(ready_article(S.PUBLISHED, users["reporter"]), user=users["publisher"], reason="")

    def test_inactive_users_can_do_nothing(self, users):
        users["admin"].is_active = False
        with pytest.raises(workflow.TransitionForbidden):
            workflow.submit(DraftFactory(), user=users["admin"])


class TestScheduling:
    def test_a_scheduled_article_goes_live_at_its_time_without_a_job(self, users):
        article = ready_article(S.APPROVED, users["reporter"], published_at=None)
        at = timezone.now() + datetime.timedelta(hours=2)
        workflow.schedule(article, user=users["publisher"], at=at)
        article.refresh_from_db()
        # Kept to the second, as every publication time is.
        assert article.status == S.PUBLISHED and article.published_at == at.replace(microsecond=0)
        assert not Article.objects.live().filter(pk=article.pk).exists()
        Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - datetime.timedelta(seconds=1))
        assert Article.objects.live().filter(pk=article.pk).exists()

    def test_scheduling_in_the_past_is_refused(self, users):
        article = ready_article(S.APPROVED, users["reporter"])
        with pytest.raises(workflow.GuardFailed, match="future"):
            workflow.schedule(article, user=users["publisher"], at=timezone.now() - datetime.timedelta(minutes=1))

    def test_a_publication_time_beyond_the_archive_is_refused(self, users):
        article = ready_article(S.APPROVED, users["reporter"])
        with pytest.raises(workflow.GuardFailed, match="between the years 1000 and 2999"):
            workflow.schedule(article, user=users["publisher"],
                              at=datetime.datetime(3100, 1, 1, tzinfo=datetime.UTC))
        article.refresh_from_db()
        assert article.status == S.APPROVED

    def test_an_embargo_holds_a_published_article_back(self, users):
        article = ready_article(S.APPROVED, users["reporter"],
                                embargo_until=timezone.now() + datetime.timedelta(days=1))
        workflow.publish(article, user=users["publisher"])
        assert Article.objects.get(pk=article.pk).status == S.PUBLISHED
        assert not Article.objects.live().filter(pk=article.pk).exists()


class TestRecording:
    def test_every_transition_is_logged_with_who_when_and_why(self, users):
        article = ready_article(S.DRAFT, users["reporter"])
        workflow.submit(article, user=users["reporter"], comment="Ready")
        workflow.request_changes(article, user=users["editor"], comment="Add a source for the quote")
        log = list(TransitionLog.objects.filter(article=article).order_by("created_at", "id")
                   .values_list("transition", "from_status", "to_status", "user__username", "comment"))
        assert log == [
            ("submit", "draft", "review", "reporter", "Ready"),
            ("request_changes", "review", "draft", "editor", "Add a source for the quote"),
        ]

    def test_transitions_bump_the_version_and_record_history(self, users):
        article = ready_article(S.DRAFT, users["reporter"])
        version = article.version
        workflow.submit(article, user=users["reporter"])
        assert article.version == version + 1
        latest = article.history.latest()
        assert latest.status == S.REVIEW and "Submit for review" in latest.history_change_reason

    def test_signals_are_sent_after_commit(self, users, django_capture_on_commit_callbacks):
        received = []
        article_transitioned.connect(lambda **kw: received.append(kw["to_status"]), weak=False,
                                     dispatch_uid="t1")
        public_content_changed.connect(lambda **kw: received.append("changed"), weak=False,
                                       dispatch_uid="t2")
        try:
            with django_capture_on_commit_callbacks(execute=True):
                workflow.publish(ready_article(S.APPROVED, users["reporter"]), user=users["publisher"])
        finally:
            article_transitioned.disconnect(dispatch_uid="t1")
            public_content_changed.disconnect(dispatch_uid="t2")
        assert received == ["published", "changed"]


class TestTransitionTo:
    def test_the_target_state_picks_the_transition(self, users):
        article = ready_article(S.REVIEW, users["reporter"])
        workflow.transition_to(article, "draft", user=users["editor"], comment="Needs work")
        assert TransitionLog.objects.get(article=article).transition == "request_changes"

    def test_an_unreachable_state_says_where_it_can_go(self, users):
        with pytest.raises(workflow.TransitionNotAllowed, match="can move to: review"):
            workflow.transition_to(DraftFactory(), "published", user=users["admin"])


class TestKillAndCorrect:
    def test_kill_withdraws_at_once_and_keeps_the_notice(self, users):
        article = ready_article(S.PUBLISHED, users["reporter"])
        workflow.kill(article, user=users["publisher"], reason="Withdrawn on legal advice.")
        article.refresh_from_db()
        assert article.status == S.KILLED and article.kill_notice == "Withdrawn on legal advice."
        assert not Article.objects.live().filter(pk=article.pk).exists()
        assert not workflow.can_edit(users["publisher"], article)

    def test_corrections_are_appended_by_publishers_to_published_articles(self, users):
        article = ready_article(S.PUBLISHED, users["reporter"])
        correction = workflow.correct(article, user=users["publisher"], text="The visit lasted two days.")
        assert list(article.corrections.all()) == [correction]
        with pytest.raises(workflow.TransitionForbidden):
            workflow.correct(article, user=users["editor"], text="x")
        with pytest.raises(workflow.TransitionNotAllowed):
            workflow.correct(DraftFactory(), user=users["publisher"], text="x")
        with pytest.raises(workflow.GuardFailed):
            workflow.correct(article, user=users["publisher"], text="  ")
        assert Correction.objects.count() == 1


class TestEditing:
    @pytest.mark.parametrize("role,status,allowed", [
        ("reporter", S.DRAFT, True), ("other_reporter", S.DRAFT, False), ("reporter", S.REVIEW, False),
        ("editor", S.REVIEW, True), ("editor", S.APPROVED, True), ("editor", S.PUBLISHED, False),
        ("publisher", S.PUBLISHED, True), ("publisher", S.KILLED, False), ("admin", S.KILLED, True),
    ])
    def test_who_may_edit(self, users, role, status, allowed):
        article = ArticleFactory(status=status, created_by=users["reporter"])
        assert workflow.can_edit(users[role], article) is allowed

    def test_two_saves_of_the_same_version_the_second_is_refused(self, users):
        article = DraftFactory(created_by=users["reporter"], headline="Original")
        opened_at = article.version
        curation.edit_article(article=article, user=users["editor"], expected_version=opened_at,
                              changes={"headline": "Editor's headline"})
        with pytest.raises(workflow.StaleVersion, match="editor changed this article"):
            curation.edit_article(article=article, user=users["reporter"], expected_version=opened_at,
                                  changes={"headline": "Reporter's headline"})
        article.refresh_from_db()
        assert article.headline == "Editor's headline" and article.version == opened_at + 1

    def test_an_invalid_edit_writes_nothing(self, users):
        article = DraftFactory(created_by=users["reporter"])
        with pytest.raises(Exception):
            curation.edit_article(article=article, user=users["reporter"], expected_version=article.version,
                                  changes={"original_url": "not a url"})
        fresh = Article.objects.get(pk=article.pk)
        assert fresh.version == article.version and fresh.original_url == ""


class TestTagCuration:
    def test_accept_and_reject_record_the_decision(self, users):
        tag = PersonTagFactory(state=TagState.SUGGESTED)
        curation.accept(tag, user=users["editor"])
        tag.refresh_from_db()
        assert (tag.state, tag.decided_by) == (TagState.ACCEPTED, users["editor"])
        curation.reject(tag, user=users["editor"])
        assert tag.state == TagState.REJECTED

    def test_reporters_cannot_decide(self, users):
        with pytest.raises(workflow.TransitionForbidden):
            curation.accept(PersonTagFactory(state=TagState.SUGGESTED), user=users["reporter"])

    def test_accept_all_pending(self, users):
        article = ArticleFactory()
        PersonTagFactory(article=article, state=TagState.SUGGESTED)
        TopicTagFactory(article=article, state=TagState.SUGGESTED)
        PersonTagFactory(article=article, state=TagState.REJECTED)
        assert curation.accept_all_pending(article, user=users["editor"]) == 2
        assert Article.objects.with_tag_counts().get(pk=article.pk).n_pending == 0
