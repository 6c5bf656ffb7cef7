"""
RSS and Atom feeds of live articles: the latest, per topic (sub-topics
included), per person.

Feed readers treat titles, descriptions and categories as HTML, so every
text from the database is escaped here before the XML writer escapes it
again: a headline or a topic named "<script>" shows as that text, not as
markup.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .models import Person, Topic
from .records import public_records
from .views import public_articles

FEED_LENGTH = 30


class ArticleFeed(Feed):
    language = "en"

    def item_title(self, article):
        return escape(article.headline)

    def item_description(self, article):
        return escape(article.standfirst)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return ", ".join(escape(b.person.name) for b in article.byline_set.all()) or None

    def item_categories(self, article):
        return [escape(tag.topic.name) for tag in article.topic_tags.all()]

    def item_guid(self, article):
        return f"newsroom:article:{article.pk}"

    item_guid_is_permalink = False


class LatestArticlesFeed(ArticleFeed):
    title = "Newsroom: latest articles"
    link = reverse_lazy("articles:home")
    description = "The latest articles published by Newsroom."

    def items(self):
        return public_articles()[:FEED_LENGTH]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class TopicFeed(ArticleFeed):
    def get_object(self, request, slug):
        return Topic.objects.with_live_coverage().get(slug=slug)

    def title(self, topic):
        return f"Newsroom: {escape(topic.name)}"

    def link(self, topic):
        return topic.get_absolute_url()

    def description(self, topic):
        return f"The latest articles about {escape(topic.name)} and its sub-topics."

    def items(self, topic):
        return public_articles().for_topic(topic)[:FEED_LENGTH]


class PersonFeed(ArticleFeed):
    def get_object(self, request, slug):
        return public_records(Person).get(slug=slug)

    def title(self, person):
        return f"Newsroom: {escape(person.name)}"

    def link(self, person):
        return person.get_absolute_url()

    def description(self, person):
        return f"The latest articles about {escape(person.name)}."

    def items(self, person):
        return public_articles().for_person(person)[:FEED_LENGTH]
