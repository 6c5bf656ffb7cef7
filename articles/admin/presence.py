"""Who else has an article open, and whether someone saved it since a page
was opened: what the edit page's banner polls. Stored in the database (see
ArticlePresence), so every worker sees every editor whatever the cache."""

import datetime

from django.utils import timezone

from ..models import ArticlePresence

# Three missed polls (every 15 s): the page was closed.
PRESENCE_SECONDS = 45


def mark_present(article, user) -> None:
    ArticlePresence.objects.update_or_create(article=article, user=user,
                                             defaults={"seen_at": timezone.now()})


def others_present(article, user) -> list[str]:
    since = timezone.now() - datetime.timedelta(seconds=PRESENCE_SECONDS)
    return sorted(ArticlePresence.objects.filter(article=article, seen_at__gte=since)
                  .exclude(user=user).values_list("user__username", flat=True))


def saved_since(article, opened_version: int | None) -> bool:
    """Whether someone saved the article after a page opened it at `opened_version`."""
    return opened_version is not None and article.version != opened_version


def warnings(article, opened_version: int | None, others: list[str]) -> list[str]:
    """The banner's sentences, most urgent first; `others` as others_present() gives them."""
    notes = []
    if saved_since(article, opened_version):
        who = article.last_edited_by.get_username() if article.last_edited_by else "Someone"
        notes.append(f"{who} saved this article since you opened it (version {article.version}; "
                     f"you opened version {opened_version}): your save would be refused. "
                     "Copy your changes and reload.")
    if others:
        notes.append(f"Also open now by: {', '.join(others)}.")
    return notes
