"""
The editorial workflow: each state change is one named operation that checks
who may do it, from which state, and what must hold, then records itself.

    draft ──submit──▶ review ──approve──▶ approved ──publish/schedule──▶ published
      ▲                 │                                                 │  │  │
      └─request_changes─┘          unpublished ◀──────unpublish──────────┘  │  │
      ▲                              │    └──publish──▶ published            │  │
      └──────────reopen──────────────┘    archived ◀──────archive───────────┘  │
                                          killed ◀─────────kill─────────────────┘

The admin, the API and the bulk actions all call these functions; none of
them changes `Article.status` any other way.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import (
    Article,
    ArticleTopic,
    Correction,
    TagState,
    TransitionLog,
    validate_publication_time,
)
from .signals import article_transitioned, public_content_changed

Status = Article.Status


class WorkflowError(Exception):
    """Base of every refusal; the message is meant for the person who tried."""


class TransitionNotAllowed(WorkflowError):
    """The article is not in a state the transition starts from (HTTP 409)."""


class TransitionForbidden(WorkflowError):
    """The user's role does not allow it (HTTP 403)."""


class GuardFailed(WorkflowError):
    """A precondition does not hold, e.g. no accepted topic (HTTP 409)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


class StaleVersion(WorkflowError):
    """Someone else saved the article since this edit began (HTTP 412)."""


# --- Who may do what ---------------------------------------------------------


def is_reporter_only(user) -> bool:
    return not (user.is_superuser or user.has_perm("articles.review_article")
                or user.has_perm("articles.publish_article"))


def can_edit(user, article: Article) -> bool:
    """Reporters edit their own drafts; editors any unpublished article;
    publishers anything but a killed article."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if article.status == Status.KILLED:
        return False
    if user.has_perm("articles.publish_article"):
        return True
    if user.has_perm("articles.review_article"):
        return article.status in {Status.DRAFT, Status.REVIEW, Status.APPROVED, Status.UNPUBLISHED}
    return (
        user.has_perm("articles.change_article")
        and article.status == Status.DRAFT
        and (article.pk is None or article.created_by_id == user.pk)
    )


def _can_submit(user, article):
    return user.has_perm("articles.review_article") or (
        user.has_perm("articles.change_article") and article.created_by_id == user.pk
    )


def _can_review(user, article):
    return user.has_perm("articles.review_article")


def _can_publish(user, article):
    return user.has_perm("articles.publish_article")


# --- Guards ------------------------------------------------------------------


def _ready_for_review(article) -> list[str]:
    problems = []
    if not article.headline.strip():
        problems.append("The article needs a headline.")
    if not article.body.strip():
        problems.append("The article needs a body.")
    return problems


def _ready_for_approval(article) -> list[str]:
    problems = _ready_for_review(article)
    if article.source_id is None:
        problems.append("The article needs a source.")
    return problems


def _ready_to_publish(article) -> list[str]:
    problems = _ready_for_approval(article)
    if article.published_at is None:
        problems.append("The article needs a publication time.")
    else:
        try:
            validate_publication_time(article.published_at)
        except ValidationError as error:
            problems.extend(error.messages)
    if not ArticleTopic.objects.filter(article=article, state=TagState.ACCEPTED).exists():
        problems.append("The article needs at least one accepted topic.")
    return problems


def _has_comment(article, comment) -> list[str]:
    return [] if comment.strip() else ["Say what must change: a comment is required."]


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    allowed: Callable
    guard: Callable = lambda article: []
    needs_comment: bool = False


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", "Submit for review", frozenset({Status.DRAFT}), Status.REVIEW,
                   _can_submit, _ready_for_review),
        Transition("request_changes", "Request changes", frozenset({Status.REVIEW}),
                   Status.DRAFT, _can_review, needs_comment=True),
        Transition("approve", "Approve", frozenset({Status.REVIEW}), Status.APPROVED,
                   _can_review, _ready_for_approval),
        Transition("publish", "Publish", frozenset({Status.APPROVED, Status.UNPUBLISHED}),
                   Status.PUBLISHED, _can_publish, _ready_to_publish),
        Transition("unpublish", "Unpublish", frozenset({Status.PUBLISHED}), Status.UNPUBLISHED,
                   _can_publish),
        Transition("archive", "Archive", frozenset({Status.PUBLISHED, Status.UNPUBLISHED}),
                   Status.ARCHIVED, _can_publish),
        Transition("reopen", "Reopen as draft", frozenset({Status.UNPUBLISHED, Status.ARCHIVED}),
                   Status.DRAFT, _can_review),
        Transition("kill", "Kill (legal or ethical takedown)",
                   frozenset({Status.PUBLISHED, Status.UNPUBLISHED, Status.ARCHIVED}),
                   Status.KILLED, _can_publish, needs_comment=True),
    ]
}


def available_transitions(article: Article, user) -> list[Transition]:
    """The transitions this user may attempt from the article's state."""
    return [t for t in TRANSITIONS.values()
            if article.status in t.sources and user.is_active and (user.is_superuser or t.allowed(user, article))]


def can_schedule(article: Article, user) -> bool:
    """Scheduling is publishing with a future time: open exactly when
    publishing is."""
    return any(t.name == "publish" for t in available_transitions(article, user))


def may_correct(user) -> bool:
    """Publishers append corrections."""
    return user.is_active and (user.is_superuser or user.has_perm("articles.publish_article"))


def can_correct(article: Article, user) -> bool:
    """Whether correct() would take a correction of this article from this user."""
    return article.status == Status.PUBLISHED and may_correct(user)


def transition_for(article: Article, to: str) -> Transition:
    """The transition that leads from the article's state to `to`."""
    for t in TRANSITIONS.values():
        if t.target == to and article.status in t.sources:
            return t
    valid = sorted({t.target for t in TRANSITIONS.values() if article.status in t.sources})
    raise TransitionNotAllowed(
        f"An article that is {article.get_status_display().lower()} cannot move to {to!r}; "
        f"it can move to: {', '.join(valid) or 'nothing'}."
    )


@transaction.atomic
def perform(article: Article, name: str, *, user, comment: str = "",
            at: datetime | None = None) -> Article:
    """Run transition `name` on the article, or raise a WorkflowError.

    The row is locked for the duration, so concurrent transitions of the same
    article are serialized and each checks the state the previous one left."""
    try:
        t = TRANSITIONS[name]
    except KeyError:
        raise TransitionNotAllowed(f"There is no transition called {name!r}.") from None
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.status not in t.sources:
        raise TransitionNotAllowed(
            f"“{t.label}” is not possible: the article is {locked.get_status_display().lower()}."
        )
    if not (user.is_active and (user.is_superuser or t.allowed(user, locked))):
        raise TransitionForbidden(f"You are not allowed to {t.label.lower()} this article.")
    if t.needs_comment and not comment.strip():
        raise GuardFailed(["A comment saying why is required."])

    if name == "publish":
        if at is not None:
            locked.published_at = at
        elif locked.published_at is None:
            locked.published_at = timezone.now()
    problems = t.guard(locked)
    if problems:
        raise GuardFailed(problems)

    from_status = locked.status
    locked.status = t.target
    locked.version += 1
    locked.last_edited_by = user
    if name == "kill":
        locked.kill_notice = comment.strip()
    locked._change_reason = f"{t.label}: {comment}".strip(": ")
    locked.save()
    TransitionLog.objects.create(
        article=locked, transition=name, from_status=from_status, to_status=t.target,
        user=user, comment=comment.strip(),
    )

    def notify():
        article_transitioned.send(
            sender=Article, article=locked, transition=name, from_status=from_status,
            to_status=t.target, user=user,
        )
        public_content_changed.send(sender=Article, article=locked)

    transaction.on_commit(notify)
    # The caller's object reflects the new state, as after a save.
    for field in ("status", "version", "published_at", "last_edited_by_id", "kill_notice",
                  "updated_at"):
        setattr(article, field, getattr(locked, field))
    return article


def transition_to(article: Article, to: str, *, user, comment: str = "",
                  at: datetime | None = None) -> Article:
    """Move the article to state `to` by the one transition that leads there."""
    return perform(article, transition_for(article, to).name, user=user, comment=comment, at=at)


def submit(article, *, user, comment=""):
    return perform(article, "submit", user=user, comment=comment)


def request_changes(article, *, user, comment):
    return perform(article, "request_changes", user=user, comment=comment)


def approve(article, *, user, comment=""):
    return perform(article, "approve", user=user, comment=comment)


def publish(article, *, user, at=None, comment=""):
    """Publish now, or at `at` if given (see schedule)."""
    return perform(article, "publish", user=user, at=at, comment=comment)


def schedule(article, *, user, at: datetime, comment=""):
    """Publish with a future publication time: live from then, no cron needed."""
    if at <= timezone.now():
        raise GuardFailed(["A scheduled time must be in the future; publish now instead."])
    return perform(article, "publish", user=user, at=at, comment=comment)


def unpublish(article, *, user, comment=""):
    return perform(article, "unpublish", user=user, comment=comment)


def archive(article, *, user, comment=""):
    return perform(article, "archive", user=user, comment=comment)


def reopen(article, *, user, comment=""):
    return perform(article, "reopen", user=user, comment=comment)


def kill(article, *, user, reason):
    """Withdraw at once from every public surface; the URL answers 410 Gone
    with `reason` as the public notice."""
    return perform(article, "kill", user=user, comment=reason)


@transaction.atomic
def correct(article: Article, *, user, text: str) -> Correction:
    """Append a dated, public correction note to a published article."""
    if not may_correct(user):
        raise TransitionForbidden("Only publishers may correct a published article.")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.status != Status.PUBLISHED:
        raise TransitionNotAllowed("Only a published article can carry a correction.")
    if not text.strip():
        raise GuardFailed(["A correction needs a text."])
    correction = Correction.objects.create(article=locked, text=text.strip(), created_by=user)
    Article.objects.filter(pk=locked.pk).record_edit(user)
    transaction.on_commit(lambda: public_content_changed.send(sender=Article, article=locked))
    return correction


# --- Optimistic locking ------------------------------------------------------


def lock_for_edit(article_pk: int, expected_version: int) -> Article:
    """Lock the row and make sure nobody saved since `expected_version` was
    read; raises StaleVersion naming who did. Call inside a transaction."""
    current = (Article.objects.select_for_update(of=("self",)).select_related("last_edited_by")
               .get(pk=article_pk))
    if current.version != expected_version:
        who = current.last_edited_by.get_username() if current.last_edited_by else "someone"
        when = timezone.localtime(current.updated_at).strftime("%H:%M on %d %b %Y")
        raise StaleVersion(
            f"{who} changed this article at {when} (version {current.version}; you were editing "
            f"version {expected_version}). Nothing was saved: reload to see their changes."
        )
    return current
