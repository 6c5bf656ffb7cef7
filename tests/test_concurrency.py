"""50 concurrent transitions and edits of the same articles: no lost update,
no illegal state, a consistent transition log (row locks on PostgreSQL)."""

import random
import threading

import pytest
from django.db import connection, connections

from articles import curation, workflow
from articles.models import Article, TransitionLog
from tests.factories import ArticleFactory, TopicTagFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row-lock concurrency is a PostgreSQL matter; CI runs this on PostgreSQL"),
]
THREADS = 50


RETRIES = 5


def run_in_threads(jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def wrap(job):
        try:
            barrier.wait()
            job()
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_concurrent_edits_of_one_version_let_exactly_one_through():
    editor = UserFactory(username="editor", group="Editor")
    article = ArticleFactory(status=Article.Status.DRAFT, headline="Original")
    opened = article.version

    def edit(n):
        return lambda: curation.edit_article(article=Article.objects.get(pk=article.pk), user=editor,
                                             expected_version=opened, changes={"headline": f"Edit {n}"})

    errors = run_in_threads([edit(n) for n in range(THREADS)])
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, workflow.StaleVersion) for e in errors), errors
    article.refresh_from_db()
    assert article.version == opened + 1 and article.headline.startswith("Edit ")


def approved_articles(n):
    """Articles one step from publication (an accepted topic: the guard)."""
    articles = []
    for _ in range(n):
        article = ArticleFactory(status=Article.Status.APPROVED)
        TopicTagFactory(article=article)
        articles.append(article)
    return articles


def transition_job(pk, name, user):
    def job():
        try:
            workflow.perform(Article.objects.get(pk=pk), name, user=user, comment="load")
        except workflow.WorkflowError:
            pass  # refused from the state it found: expected under contention
    return job


def walk_the_log(article) -> int:
    """Check the article's transition log is one chain from approved to its
    status; returns its length."""
    log = list(TransitionLog.objects.filter(article=article).order_by("created_at", "id"))
    state = Article.Status.APPROVED
    for entry in log:
        assert entry.from_status == state, "each transition starts where the previous ended"
        assert entry.to_status == workflow.TRANSITIONS[entry.transition].target
        state = entry.to_status
    assert state == article.status in Article.Status.values
    return len(log)


def test_concurrent_transitions_keep_a_legal_state_and_a_consistent_log():
    publisher = UserFactory(username="publisher", group="Publisher")
    articles = approved_articles(5)
    rng = random.Random(7)
    names = ["publish", "unpublish", "archive", "reopen", "publish", "submit", "approve"]

    jobs = [transition_job(rng.choice(articles).pk, rng.choice(names), publisher)
            for _ in range(THREADS)]
    errors = run_in_threads(jobs)
    assert errors == []
    for article in articles:
        article.refresh_from_db()
        assert article.version == 1 + walk_the_log(article)


def test_transitions_and_edits_mixed_lose_nothing():
    """25 threads move articles through the workflow while 25 edit them (half
    through the API with If-Match, half through curation.edit_article), each
    edit with the version it just read. Every edit that succeeds makes exactly
    one new version, no two share one, and the last one's text is what stays."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    publisher = UserFactory(username="publisher", group="Publisher")
    token = Token.objects.create(user=publisher).key
    articles = approved_articles(3)
    rng = random.Random(11)
    names = ["publish", "unpublish", "archive", "reopen", "submit", "approve", "publish"]
    edits, lock = [], threading.Lock()  # (pk, version read, version made, headline)

    def edit(pk, n, through_api):
        headline = f"Edit {n}"

        def attempt():
            """The edit with the version just read; None if it was stale."""
            read = Article.objects.values_list("version", flat=True).get(pk=pk)
            if through_api:
                client = APIClient()
                client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
                slug = Article.objects.values_list("slug", flat=True).get(pk=pk)
                response = client.patch(f"/api/v1/articles/{slug}/", {"headline": headline},
                                        format="json", HTTP_IF_MATCH=str(read))
                if response.status_code == 412:
                    return None
                assert response.status_code == 200, response.content
                return read, response.json()["version"]
            try:
                return read, curation.edit_article(
                    article=Article.objects.get(pk=pk), user=publisher,
                    expected_version=read, changes={"headline": headline}).version
            except workflow.StaleVersion:
                return None

        def job():
            # As a client told 412 would: read the version again and retry, a few times.
            for _ in range(RETRIES):
                done = attempt()
                if done:
                    with lock:
                        edits.append((pk, *done, headline))
                    return
        return job

    jobs = [transition_job(rng.choice(articles).pk, rng.choice(names), publisher)
            for _ in range(THREADS // 2)]
    jobs += [edit(rng.choice(articles).pk, n, n % 2 == 0) for n in range(THREADS // 2)]
    rng.shuffle(jobs)
    errors = run_in_threads(jobs)
    assert errors == []
    assert edits, "no edit got through at all"
    for article in articles:
        article.refresh_from_db()
        mine = sorted((e for e in edits if e[0] == article.pk), key=lambda e: e[2])
        assert all(made == read + 1 for _, read, made, _ in mine), mine
        assert len({made for _, _, made, _ in mine}) == len(mine), "two edits made one version"
        if mine:
            assert article.headline == mine[-1][3], "the last edit's text is what stays"
        assert article.version == 1 + walk_the_log(article) + len(mine)
