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


def test_concurrent_transitions_keep_a_legal_state_and_a_consistent_log():
    publisher = UserFactory(username="publisher", group="Publisher")
    articles = []
    for _ in range(5):
        article = ArticleFactory(status=Article.Status.APPROVED)
        TopicTagFactory(article=article)
        articles.append(article)
    rng = random.Random(7)
    names = ["publish", "unpublish", "archive", "reopen", "publish", "submit", "approve"]

    def act(pk, name):
        def job():
            try:
                workflow.perform(Article.objects.get(pk=pk), name, user=publisher, comment="load")
            except workflow.WorkflowError:
                pass  # refused from the state it found: expected under contention
        return job

    jobs = [act(rng.choice(articles).pk, rng.choice(names)) for _ in range(THREADS)]
    errors = run_in_threads(jobs)
    assert errors == []
    for article in articles:
        article.refresh_from_db()
        assert article.status in Article.Status.values
        log = list(TransitionLog.objects.filter(article=article).order_by("created_at", "id"))
        state = Article.Status.APPROVED
        for entry in log:
            assert entry.from_status == state, "each transition starts where the previous ended"
            assert entry.to_status == workflow.TRANSITIONS[entry.transition].target
            state = entry.to_status
        assert state == article.status
        assert article.version == 1 + len(log)
