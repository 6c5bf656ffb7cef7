"""
Representations. Read serializers show accepted tags only (the selectors
prefetch them); the tag serializers of the curation endpoints show every
state with its provenance. Writes take exactly the fields that
articles.curation lets an edit change.
"""

import re
from collections.abc import Mapping

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Byline,
    Correction,
    DateMention,
    Organisation,
    Person,
    Place,
    Relation,
    Role,
    Source,
    Topic,
)

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


class RecordRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class StrictInput:
    """A body key the serializer does not write is a 400 naming it, never
    silently dropped: a client sending {"status": "published"} must learn
    that nothing was published. `read_only_hints` maps keys of the representation
    to the message saying where they are changed."""

    read_only_hints: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {key: [self.read_only_hints.get(key, "Unknown field.")]
                      for key in data if key not in writable}
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


# --- Fields ------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.URI)
class PublicURLField(serializers.Field):
    """The object's page on the public site, as an absolute URL."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class OptionalURLField(serializers.URLField):
    """A URL that may be missing: null rather than an empty string."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class SlugRefField(serializers.SlugRelatedField):
    """A record named by its slug; an unknown slug is "Unknown <kind>: '<slug>'."."""

    def __init__(self, kind: str, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = f"Unknown {kind}: '{{value}}'."

    def to_internal_value(self, data):
        if isinstance(data, str) and not SLUG.match(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


def ancestor_ids(topic) -> list[int]:
    return [int(part) for part in topic.path.strip("/").split("/")[:-1] if part]


def topics_in(instance):
    """Every topic a response shows, so that their ancestors are fetched at once."""
    items = instance if isinstance(instance, (list, tuple)) else [instance]
    for item in items:
        if isinstance(item, Topic):
            yield item
        elif isinstance(item, Article):
            yield from (tag.topic for tag in getattr(item, "accepted_topics", []))


@extend_schema_field(RecordRefSerializer(many=True))
class TopicPathField(serializers.Field):
    """The topic's ancestors, root first. One query per response, whatever its size."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, topic):
        known = self.context.setdefault("topic_ancestors", {})
        if any(pk not in known for pk in ancestor_ids(topic)):
            wanted = {pk for t in [topic, *topics_in(self.root.instance)] for pk in ancestor_ids(t)}
            known.update(dict.fromkeys(wanted))
            ancestors = Topic.objects.filter(pk__in=wanted).only("slug", "name")
            known.update({t.pk: t for t in ancestors})
        return [{"slug": known[pk].slug, "name": known[pk].name}
                for pk in ancestor_ids(topic) if known.get(pk) is not None]


# --- References ----------------------------------------------------------------


class TaggedPersonSerializer(serializers.ModelSerializer):
    """An accepted tag of an article, as the public sees it."""

    slug = serializers.SlugField(source="person.slug", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = ArticlePerson
        fields = ["slug", "name", "relation"]
        read_only_fields = fields


class TaggedOrganisationSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(source="organisation.slug", read_only=True)
    name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = ArticleOrganisation
        fields = ["slug", "name", "relation"]
        read_only_fields = fields


class TaggedPlaceSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(source="place.slug", read_only=True)
    name = serializers.CharField(source="place.name", read_only=True)

    class Meta:
        model = ArticlePlace
        fields = ["slug", "name", "relation"]
        read_only_fields = fields


class TaggedTopicSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(source="topic.slug", read_only=True)
    name = serializers.CharField(source="topic.name", read_only=True)
    path = TopicPathField(source="topic")

    class Meta:
        model = ArticleTopic
        fields = ["slug", "name", "path"]
        read_only_fields = fields


class BylineSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(source="person.slug", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Byline
        fields = ["slug", "name", "role"]


def mod_field():
    # Declared because a read-only ModelSerializer field drops allow_blank,
    # and the schema would then not admit the blank ("no modifier") value.
    return serializers.ChoiceField(choices=DateMention.Mod.choices, allow_blank=True,
                                   read_only=True)


class DateMentionSerializer(serializers.ModelSerializer):
    mod = mod_field()

    class Meta:
        model = DateMention
        fields = ["text", "date_from", "date_to", "precision", "value", "mod", "label"]


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ["text", "created_at"]


# --- Articles ------------------------------------------------------------------


class ArticleSerializer(serializers.ModelSerializer):
    url = PublicURLField(help_text="The canonical URL of the article's page.")
    api_url = serializers.HyperlinkedIdentityField(view_name="api:article-detail",
                                                   lookup_field="slug")
    source = RecordRefSerializer(read_only=True, allow_null=True)
    bylines = BylineSerializer(source="byline_set", many=True, read_only=True)
    people = TaggedPersonSerializer(source="accepted_people", many=True, read_only=True)
    organisations = TaggedOrganisationSerializer(source="accepted_organisations", many=True,
                                                 read_only=True)
    places = TaggedPlaceSerializer(source="accepted_places", many=True, read_only=True)
    topics = TaggedTopicSerializer(source="accepted_topics", many=True, read_only=True)
    dates = DateMentionSerializer(source="accepted_dates", many=True, read_only=True)

    class Meta:
        model = Article
        fields = ["slug", "url", "api_url", "headline", "standfirst", "status", "published_at",
                  "source", "bylines", "people", "organisations", "places", "topics", "dates"]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    paragraphs = serializers.ListField(child=serializers.CharField(), read_only=True,
                                       help_text="The body cut into paragraphs.")
    captions = serializers.SerializerMethodField(help_text="Photo captions, one per line.")
    dateline = RecordRefSerializer(read_only=True, allow_null=True)
    original_url = OptionalURLField(help_text="Where the article was first published.")
    corrections = CorrectionSerializer(many=True, read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body", "paragraphs", "captions", "dateline",
                  "original_url", "embargo_until", "corrections", "updated_at", "version"]
        read_only_fields = fields

    def get_captions(self, article) -> list[str]:
        return [line.strip() for line in article.captions.splitlines() if line.strip()]


class ArticleWriteSerializer(StrictInput, serializers.ModelSerializer):
    """What an edit may change (articles.curation.EDITABLE_FIELDS)."""

    read_only_hints = {
        **dict.fromkeys(ArticleDetailSerializer.Meta.fields, "Read-only."),
        "status": "Read-only here: use /transitions/.",
        "version": "Read-only: send it in If-Match.",
    }

    source = SlugRefField("source", queryset=Source.objects.all(), allow_null=True,
                          required=False)
    dateline = SlugRefField("place", queryset=Place.objects.all(), allow_null=True,
                            required=False)

    class Meta:
        model = Article
        fields = ["headline", "slug", "standfirst", "body", "captions", "source", "original_url",
                  "dateline", "published_at", "embargo_until", "metadata_notes"]
        extra_kwargs = {"slug": {"required": False}}


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    to = serializers.ChoiceField(source="target", choices=Article.Status.choices, read_only=True)
    needs_comment = serializers.BooleanField(read_only=True)


class TransitionRequestSerializer(StrictInput, serializers.Serializer):
    to = serializers.ChoiceField(choices=Article.Status.choices,
                                 help_text="The state to move the article to.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                   help_text="Publication time when publishing; in the future, "
                                             "the article is scheduled.")


# --- Tags with provenance (curation) ---------------------------------------------


class TagSerializer(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)
    evidence = serializers.JSONField(read_only=True,
                                     help_text='Spans: [{"start", "end", "text", "field"}].')

    class Meta:
        fields = ["id", "state", "origin", "tagger_version", "confidence", "evidence",
                  "decided_by", "decided_at"]
        read_only_fields = fields


class PersonTagSerializer(TagSerializer):
    person = RecordRefSerializer(read_only=True)

    class Meta(TagSerializer.Meta):
        model = ArticlePerson
        fields = ["id", "person", "relation", *TagSerializer.Meta.fields[1:]]
        read_only_fields = fields


class OrganisationTagSerializer(TagSerializer):
    organisation = RecordRefSerializer(read_only=True)

    class Meta(TagSerializer.Meta):
        model = ArticleOrganisation
        fields = ["id", "organisation", "relation", *TagSerializer.Meta.fields[1:]]
        read_only_fields = fields


class PlaceTagSerializer(TagSerializer):
    place = RecordRefSerializer(read_only=True)

    class Meta(TagSerializer.Meta):
        model = ArticlePlace
        fields = ["id", "place", "relation", *TagSerializer.Meta.fields[1:]]
        read_only_fields = fields


class TopicTagSerializer(TagSerializer):
    topic = RecordRefSerializer(read_only=True)

    class Meta(TagSerializer.Meta):
        model = ArticleTopic
        fields = ["id", "topic", *TagSerializer.Meta.fields[1:]]
        read_only_fields = fields


class DateTagSerializer(TagSerializer):
    mod = mod_field()

    class Meta(TagSerializer.Meta):
        model = DateMention
        fields = ["id", *DateMentionSerializer.Meta.fields, *TagSerializer.Meta.fields[1:]]
        read_only_fields = fields


class ArticleTagsSerializer(serializers.Serializer):
    """Every tag of an article, of every state, by kind."""

    people = PersonTagSerializer(many=True, read_only=True)
    organisations = OrganisationTagSerializer(many=True, read_only=True)
    places = PlaceTagSerializer(many=True, read_only=True)
    topics = TopicTagSerializer(many=True, read_only=True)
    dates = DateTagSerializer(many=True, read_only=True)


class PersonTagInputSerializer(StrictInput, serializers.Serializer):
    person = SlugRefField("person", queryset=Person.objects.all())
    relation = serializers.ChoiceField(choices=Relation.choices, default=Relation.MENTIONS)


class OrganisationTagInputSerializer(StrictInput, serializers.Serializer):
    organisation = SlugRefField("organisation", queryset=Organisation.objects.all())
    relation = serializers.ChoiceField(choices=Relation.choices, default=Relation.MENTIONS)


class PlaceTagInputSerializer(StrictInput, serializers.Serializer):
    place = SlugRefField("place", queryset=Place.objects.all())
    relation = serializers.ChoiceField(choices=Relation.choices, default=Relation.MENTIONS)


class TopicTagInputSerializer(StrictInput, serializers.Serializer):
    topic = SlugRefField("topic", queryset=Topic.objects.all())


class DateInputSerializer(StrictInput, serializers.ModelSerializer):
    class Meta:
        model = DateMention
        fields = ["text", "date_from", "date_to", "precision", "value", "mod", "label"]


class DateCorrectionSerializer(StrictInput, serializers.ModelSerializer):
    """A date's normalized value or range, as an editor corrects it."""

    class Meta:
        model = DateMention
        fields = ["date_from", "date_to", "precision", "value", "mod", "label"]


# --- Authority lists, topics, sources, timeline -----------------------------------


class PersonSerializer(serializers.ModelSerializer):
    url = PublicURLField()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:person-detail",
                                                   lookup_field="slug")
    aliases = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    live_articles = serializers.IntegerField(read_only=True,
                                             help_text="Live articles tagged with the person.")

    class Meta:
        model = Person
        fields = ["slug", "name", "sort_name", "url", "api_url", "description", "wikidata_id",
                  "aliases", "live_articles"]
        read_only_fields = fields


class RoleSerializer(serializers.ModelSerializer):
    organisation = RecordRefSerializer(read_only=True, allow_null=True)
    country = RecordRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Role
        fields = ["title", "organisation", "country", "start_date", "end_date"]
        read_only_fields = fields


class PersonDetailSerializer(PersonSerializer):
    roles = RoleSerializer(many=True, read_only=True,
                           help_text="Positions held over time, earliest first.")

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "roles"]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    url = PublicURLField()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:organisation-detail",
                                                   lookup_field="slug")
    aliases = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    live_articles = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "name", "url", "api_url", "description", "wikidata_id", "aliases",
                  "live_articles"]
        read_only_fields = fields


class PlaceSerializer(serializers.ModelSerializer):
    url = PublicURLField()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:place-detail",
                                                   lookup_field="slug")
    parent = RecordRefSerializer(read_only=True, allow_null=True)
    aliases = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    live_articles = serializers.IntegerField(read_only=True)

    class Meta:
        model = Place
        fields = ["slug", "name", "kind", "parent", "url", "api_url", "description",
                  "wikidata_id", "aliases", "live_articles"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    url = PublicURLField()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:topic-detail",
                                                   lookup_field="slug")
    parent = RecordRefSerializer(read_only=True, allow_null=True)
    path = TopicPathField(source="*", help_text="Ancestors from the root down.")
    children = RecordRefSerializer(many=True, read_only=True)
    iptc_uri = OptionalURLField()
    live_articles = serializers.IntegerField(
        source="n_articles", read_only=True,
        help_text="Live articles of this topic and its sub-topics, each counted once.")

    class Meta:
        model = Topic
        fields = ["slug", "name", "parent", "path", "children", "url", "api_url", "description",
                  "iptc_uri", "live_articles"]
        read_only_fields = fields


class SourceSerializer(serializers.ModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail",
                                                   lookup_field="slug")
    homepage_url = OptionalURLField()
    live_articles = serializers.IntegerField(read_only=True)

    class Meta:
        model = Source
        fields = ["slug", "name", "homepage_url", "api_url", "live_articles"]
        read_only_fields = fields


class ArticleRefSerializer(serializers.ModelSerializer):
    url = PublicURLField()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:article-detail",
                                                   lookup_field="slug")

    class Meta:
        model = Article
        fields = ["slug", "headline", "published_at", "url", "api_url"]
        read_only_fields = fields


class TimelineEntrySerializer(DateMentionSerializer):
    article = ArticleRefSerializer(read_only=True)

    class Meta(DateMentionSerializer.Meta):
        fields = [*DateMentionSerializer.Meta.fields, "article"]
        read_only_fields = fields
