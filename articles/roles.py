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
    *perms(["add", "view"], ["editorialnote"]),
    *perms(["view"], AUTHORITY_MODELS + TAG_MODELS + ["transitionlog", "correction"]),
]
EDITOR = [
    *REPORTER,
    "review_article",
    "curate_tags",
    *perms(["add", "change", "delete", "view"], TAG_MODELS),
    *perms(["add", "change", "view"], AUTHORITY_MODELS),
    *perms(["add", "change", "delete", "view"], ["collection", "collectionitem"]),
]
PUBLISHER = [
    *EDITOR,
    "publish_article",
    *perms(["add"], ["correction"]),
]

GROUPS = {"Reporter": REPORTER, "Editor": EDITOR, "Publisher": PUBLISHER}


def sync_groups(apps) -> None:
    """Make the three groups hold exactly the permissions above. Called from
    data migrations whenever the roles change."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they
    # exist now so the groups can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )
