"""The editorial desk (queues with counts) and the editorial calendar."""

import calendar
import datetime

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ..curation import pending_articles
from ..models import Article

Status = Article.Status


def queues(now=None):
    """Each queue: a label, its count and the changelist filter it links to."""
    now = now or timezone.now()
    week_ago = now - datetime.timedelta(days=7)
    published = Q(status=Status.PUBLISHED)
    counts = Article.objects.aggregate(
        review=Count("pk", filter=Q(status=Status.REVIEW)),
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        scheduled=Count("pk", filter=published & Q(published_at__gt=now)),
        embargoed=Count("pk", filter=Q(embargo_until__gt=now)),
        recent=Count("pk", filter=published & Q(published_at__lte=now, published_at__gte=week_ago)),
    )
    counts["pending"] = pending_articles().count()
    return [
        ("In review", counts["review"], "status__exact=review"),
        ("Approved, waiting to be published", counts["approved"], "status__exact=approved"),
        ("Scheduled", counts["scheduled"], "queue=scheduled"),
        ("Under embargo", counts["embargoed"], "queue=embargoed"),
        ("Published in the last 7 days", counts["recent"], "queue=recent"),
        ("With pending tag suggestions", counts["pending"], "queue=pending"),
        ("Drafts", counts["drafts"], "status__exact=draft"),
    ]


def desk_view(model_admin):
    def view(request):
        changelist = reverse("admin:articles_article_changelist")
        return render(request, "admin/articles/article/desk.html", {
            **model_admin.admin_site.each_context(request),
            "opts": Article._meta, "title": "Editorial desk",
            "queues": [{"label": label, "count": count, "url": f"{changelist}?{query}"}
                       for label, count, query in queues()],
        })
    return view


def calendar_view(model_admin):
    def view(request):
        today = timezone.localdate()
        try:
            year = int(request.GET.get("year", today.year))
            month = int(request.GET.get("month", today.month))
            first = datetime.date(year, month, 1)
        except ValueError:
            year, month, first = today.year, today.month, today.replace(day=1)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        start = timezone.make_aware(datetime.datetime.combine(weeks[0][0], datetime.time.min))
        end = timezone.make_aware(datetime.datetime.combine(weeks[-1][-1], datetime.time.max))
        articles = (Article.objects.filter(published_at__range=(start, end))
                    .exclude(status__in=[Status.KILLED])
                    .only("pk", "headline", "status", "published_at", "embargo_until")
                    .order_by("published_at"))
        by_day = {}
        now = timezone.now()
        for article in articles:
            day = timezone.localtime(article.published_at).date()
            by_day.setdefault(day, []).append({
                "article": article,
                "scheduled": article.status == Status.PUBLISHED and article.published_at > now,
                "url": reverse("admin:articles_article_change", args=[article.pk]),
            })
        previous = first - datetime.timedelta(days=1)
        following = first + datetime.timedelta(days=32)
        return render(request, "admin/articles/article/calendar.html", {
            **model_admin.admin_site.each_context(request),
            "opts": Article._meta, "title": f"Editorial calendar — {first:%B %Y}",
            "weeks": [[{"date": d, "in_month": d.month == month, "items": by_day.get(d, [])}
                       for d in week] for week in weeks],
            "weekdays": list(calendar.day_abbr),
            "previous": {"year": previous.year, "month": previous.month},
            "next": {"year": following.year, "month": following.month},
        })
    return view
