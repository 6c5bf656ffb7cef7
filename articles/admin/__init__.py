"""The editorial desk: configuration first; every operation goes through
articles.workflow and articles.curation, as the API does."""

from . import articles, authority, collections, tags  # noqa: F401  (registers the model admins)
