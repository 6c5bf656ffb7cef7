"""
Editorial roles: the permissions each group holds. Object-level rules
(a reporter edits only their own drafts) live in the workflow, not here.
"""

AUTHORITY_MODELS = ["person", "personalias", "role", "organisation", "organisationalias",
                    "place", "placealias", "topic", "source"]
TAG_MODELS = ["articleperson", "articleorganisation", "articleplace", "articletopic",
              "datemention"]


def perms(actions, models):
    return [f"{action}_{model}" for model in models for action in actions]


REPORTER = [
    *perms(["add", "change", "view"], ["article"]),
    *perms(["add", "change", "delete", "view"], ["byline"]),
    *perms(["view"], AUTHORITY_MODELS + TAG_MODELS),
]
EDITOR = [
    *REPORTER,
    "curate_tags",
    *perms(["add", "change", "delete", "view"], TAG_MODELS),
    *perms(["add", "change", "view"], AUTHORITY_MODELS),
]
PUBLISHER = [*EDITOR, "publish_article"]

GROUPS = {"Reporter": REPORTER, "Editor": EDITOR, "Publisher": PUBLISHER}
