from django.contrib.sitemaps.views import index, sitemap
from django.urls import path

from . import feeds, sitemaps, views
from .cache import public_cache
from .models import Organisation, Place

app_name = "articles"


def cached(view_class, **initkwargs):
    return public_cache(view_class.as_view(**initkwargs))


urlpatterns = [
    path("", cached(views.HomeView), name="home"),
    path("articles/<slug:slug>/", cached(views.ArticleDetailView), name="article"),
    path("preview/articles/<slug:slug>/", views.ArticlePreviewView.as_view(), name="article_preview"),
    path("people/", cached(views.PersonIndexView), name="people"),
    path("people/<slug:slug>/", cached(views.PersonDetailView), name="person"),
    path("topics/", cached(views.TopicIndexView), name="topics"),
    path("topics/<slug:slug>/", cached(views.TopicDetailView), name="topic"),
    path("organisations/", cached(views.RecordIndexView, record_model=Organisation),
         name="organisations"),
    path("organisations/<slug:slug>/", cached(views.OrganisationDetailView), name="organisation"),
    path("places/", cached(views.RecordIndexView, record_model=Place), name="places"),
    path("places/<slug:slug>/", cached(views.PlaceDetailView), name="place"),
    path("timeline/", cached(views.TimelineView), name="timeline"),
    path("archive/", cached(views.ArchiveView), name="archive"),
    path("archive/<int:year>/", cached(views.YearArchive), name="archive_year"),
    path("archive/<int:year>/<int:month>/", cached(views.MonthArchive), name="archive_month"),
    path("search/", cached(views.SearchView), name="search"),
    path("feeds/latest/", public_cache(feeds.LatestArticlesFeed()), name="feed_latest"),
    path("feeds/latest/atom/", public_cache(feeds.LatestArticlesAtomFeed()), name="feed_latest_atom"),
    path("feeds/topics/<slug:slug>/", public_cache(feeds.TopicFeed()), name="feed_topic"),
    path("feeds/people/<slug:slug>/", public_cache(feeds.PersonFeed()), name="feed_person"),
    # An index of one sitemap per section, each paginated (?p=) at Sitemap.limit
    # URLs, so that no file outgrows the protocol's 50,000 entries.
    path("sitemap.xml", public_cache(index),
         {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "articles:sitemap_section"},
         name="sitemap"),
    # Before the sections' pattern, which "news" would otherwise match.
    path("sitemap-news.xml", public_cache(sitemap),
         {"sitemaps": sitemaps.NEWS_SITEMAPS, "template_name": "sitemaps/news.xml",
          "content_type": "application/xml"}, name="sitemap_news"),
    path("sitemap-<section>.xml", public_cache(sitemap), {"sitemaps": sitemaps.SITEMAPS},
         name="sitemap_section"),
    path("robots.txt", public_cache(views.robots_txt), name="robots"),
]
