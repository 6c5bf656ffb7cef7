from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom content"

    def ready(self):
        from . import cache, coverage, renditions, search

        cache.connect_receivers()
        coverage.connect_receivers()
        renditions.connect_receivers()
        search.connect_receivers(self)
