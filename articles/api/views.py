"""
The REST API. Views are thin: the selectors decide what a user may read,
the workflow and curation modules do every write, and exceptions.py turns
their refusals into HTTP answers.
"""

from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from articles import curation, tagger, workflow
from articles.models import Article, DateMention, Organisation, Person, Place, Source, Topic

from . import selectors
from .conditional import article_etag, conditional_reads, expected_version
from .exceptions import Gone
from .filters import ArticleFilter, TimelineFilter
from .pagination import ArticlePagination, PagePagination
from .parsers import JSONParser
from .permissions import ArticlePermission, CanCurateTags, IsStaff
from .renderers import ORJSONRenderer
from .schema import error
from .serializers import (
    SLUG,
    ArticleDetailSerializer,
    ArticleSerializer,
    ArticleTagsSerializer,
    ArticleWriteSerializer,
    DateCorrectionSerializer,
    DateInputSerializer,
    DateTagSerializer,
    OrganisationSerializer,
    OrganisationTagInputSerializer,
    OrganisationTagSerializer,
    PersonDetailSerializer,
    PersonSerializer,
    PersonTagInputSerializer,
    PersonTagSerializer,
    PlaceSerializer,
    PlaceTagInputSerializer,
    PlaceTagSerializer,
    SourceSerializer,
    TimelineEntrySerializer,
    TopicSerializer,
    TopicTagInputSerializer,
    TopicTagSerializer,
    TransitionRequestSerializer,
    TransitionSerializer,
)
from .throttling import AnonymousRateThrottle

TAG_KINDS = {
    # kind in the URL: (serializer of a tag, serializer of a hand-made one)
    "people": (PersonTagSerializer, PersonTagInputSerializer),
    "organisations": (OrganisationTagSerializer, OrganisationTagInputSerializer),
    "places": (PlaceTagSerializer, PlaceTagInputSerializer),
    "topics": (TopicTagSerializer, TopicTagInputSerializer),
    "dates": (DateTagSerializer, DateInputSerializer),
}
KIND = "(?P<kind>" + "|".join(TAG_KINDS) + ")"
KIND_PARAMETER = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(TAG_KINDS))
TAG_ID_PARAMETER = OpenApiParameter("tag_id", int, OpenApiParameter.PATH)
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER,
    description="The article's ETag, or its version number. Required by PATCH (428 without "
                "it); optional on transitions. 412 if the article changed since.",
)
ANY_TAG = PolymorphicProxySerializer(
    component_name="Tag", serializers=[s for s, _ in TAG_KINDS.values()],
    resource_type_field_name=None,
)
ANY_TAG_INPUT = PolymorphicProxySerializer(
    component_name="TagInput", serializers=[s for _, s in TAG_KINDS.values()],
    resource_type_field_name=None,
)


def check_query_parameters(request, known: set[str]) -> None:
    """Unknown query parameters are a 400, so that a typo (?persn=) is not
    silently a different question; null characters are refused everywhere."""
    errors = {}
    for name, values in request.query_params.lists():
        if name not in known:
            errors[name] = ["Unknown query parameter."]
        elif any("\x00" in value for value in values):
            errors[name] = ["Null characters are not allowed."]
    if errors:
        raise ValidationError(errors)


class ApiViewSet(viewsets.GenericViewSet):
    """What every endpoint shares: JSON only (the page cache keys on the URL,
    not on Accept), the anonymous throttle, conditional reads, strict query
    parameters, objects found by slug."""

    renderer_classes = [ORJSONRenderer]
    parser_classes = [JSONParser]
    throttle_classes = [AnonymousRateThrottle]
    pagination_class = PagePagination
    lookup_field = "slug"
    lookup_value_regex = SLUG.pattern.strip("^$")
    filterset_class = None

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        return conditional_reads(super().as_view(actions, **initkwargs))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        known = {"format"}
        if self.action == "list":
            known |= set(self.filterset_class.base_filters) if self.filterset_class else set()
            known |= self.paginator.query_parameters() if self.paginator else set()
        check_query_parameters(request, known)


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    pass


@extend_schema_view(
    list=extend_schema(summary="Live articles, filtered and paginated",
                       description="Editors may list other states with status=."),
    retrieve=extend_schema(summary="One article in full", responses={
        200: ArticleDetailSerializer,
        410: error("The article was withdrawn; detail is the notice."),
    }),
)
class ArticleViewSet(mixins.ListModelMixin, ApiViewSet):
    queryset = Article.objects.none()
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    pagination_class = ArticlePagination
    permission_classes = [ArticlePermission]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            # What a list item shows, ArticleFilter adds; and the facet
            # index's lists need no queryset: it is built on first use.
            return selectors.VisibleArticles(self.request.user)
        return selectors.with_detail(selectors.articles_for(self.request.user))

    def list(self, request, *args, **kwargs):
        numbered = PagePagination.query_parameters(self.paginator)  # not the cursor's
        if set(request.query_params) <= numbered | {"format"}:
            # Numbered pages of every live article, the busiest list: a
            # prepared statement (articles.statements), no queryset built.
            articles = selectors.newest_live()
        else:
            articles = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(articles)
        return self.get_paginated_response(selectors.listing_items(page, request))

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return ArticleWriteSerializer
        return ArticleSerializer if self.action == "list" else ArticleDetailSerializer

    def filter_queryset(self, queryset):
        # Filters are for the list; one article is found by its slug alone.
        if self.action != "list":
            return queryset
        if set(self.request.query_params) <= self.paginator.query_parameters() | {"format"}:
            return ArticleFilter.unfiltered(queryset.all())
        return super().filter_queryset(queryset)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            killed = Article.objects.filter(slug=self.kwargs["slug"], status=Article.Status.KILLED)
            notice = killed.values_list("kill_notice", flat=True).first()
            if notice is not None:
                raise Gone(notice or Gone.default_detail) from None
            raise

    def article_response(self, article, status=200, headers=None):
        article = selectors.with_detail(Article.objects.all()).get(pk=article.pk)
        data = ArticleDetailSerializer(article, context=self.get_serializer_context()).data
        return Response(data, status=status,
                        headers={"ETag": article_etag(article, data), **(headers or {})})

    def retrieve(self, request, *args, **kwargs):
        article = self.get_object()
        data = self.get_serializer(article).data
        return Response(data, headers={"ETag": article_etag(article, data)})

    @extend_schema(summary="Create a draft", request=ArticleWriteSerializer,
                   responses={201: ArticleDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = serializer.save(status=Article.Status.DRAFT, created_by=request.user,
                                  last_edited_by=request.user)
        tagger.tag_soon(article)  # as the admin does; edits are tagged by curation.edit_article
        location = reverse("api:article-detail", kwargs={"slug": article.slug}, request=request)
        return self.article_response(article, 201, {"Location": location})

    @extend_schema(
        summary="Edit an article (If-Match required)", request=ArticleWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: ArticleDetailSerializer,
                   412: error("Someone else saved the article since your version; nothing saved."),
                   428: error("If-Match is missing.")},
    )
    def partial_update(self, request, *args, **kwargs):
        article = self.get_object()
        version = expected_version(request)
        serializer = self.get_serializer(article, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        # The answer is read in the edit's transaction: what this edit made,
        # not what a colleague's change committed a moment later.
        with transaction.atomic():
            article = curation.edit_article(article=article, user=request.user,
                                            expected_version=version,
                                            changes=serializer.validated_data)
            return self.article_response(article)

    @extend_schema(methods=["GET"], summary="The transitions open to you",
                   responses=TransitionSerializer(many=True))
    @extend_schema(
        methods=["POST"], summary="Move the article to another state", parameters=[IF_MATCH],
        request=TransitionRequestSerializer,
        responses={200: ArticleDetailSerializer,
                   409: error("Not possible from the article's state, or a precondition fails "
                              "(problems lists each)."),
                   412: error("If-Match names an older version."),
                   428: error("If-Match: * protects nothing: send the ETag, or no If-Match.")},
    )
    @action(detail=True, methods=["get", "post"], permission_classes=[IsStaff],
            pagination_class=None, filter_backends=[])
    def transitions(self, request, slug=None):
        article = self.get_object()
        if request.method == "GET":
            available = workflow.available_transitions(article, request.user)
            return Response(TransitionSerializer(available, many=True).data)
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, required=False)
        with transaction.atomic():
            if version is not None:
                workflow.lock_for_edit(article.pk, version)
            workflow.transition_to(article, serializer.validated_data["to"], user=request.user,
                                   comment=serializer.validated_data["comment"],
                                   at=serializer.validated_data["at"])
            return self.article_response(article)  # as the transition left it (see PATCH)

    # --- Tag curation ---------------------------------------------------------

    def get_tag(self, kind: str, tag_id: str):
        article = self.get_object()
        model = curation.TAG_MODEL_BY_KIND[kind]
        return get_object_or_404(model.objects.select_related("article"), article=article,
                                 pk=tag_id)

    @extend_schema(summary="Every tag of the article, of every state",
                   responses=ArticleTagsSerializer)
    @action(detail=True, methods=["get"], permission_classes=[CanCurateTags],
            pagination_class=None, filter_backends=[])
    def tags(self, request, slug=None):
        return Response(ArticleTagsSerializer(selectors.tags_of(self.get_object())).data)

    @extend_schema(summary="Add a tag by hand", parameters=[KIND_PARAMETER],
                   request=ANY_TAG_INPUT, responses={201: ANY_TAG})
    @action(detail=True, methods=["post"], permission_classes=[CanCurateTags],
            url_path=f"tags/{KIND}")
    def add_tag(self, request, slug=None, kind=None):
        article = self.get_object()
        tag_serializer, input_serializer = TAG_KINDS[kind]
        serializer = input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tag = curation.add_tag(curation.TAG_MODEL_BY_KIND[kind], article=article,
                               user=request.user, **serializer.validated_data)
        return Response(tag_serializer(tag).data, status=201)

    @extend_schema(summary="Accept a tag", parameters=[KIND_PARAMETER, TAG_ID_PARAMETER],
                   request=None, responses=ANY_TAG)
    @action(detail=True, methods=["post"], permission_classes=[CanCurateTags],
            url_path=f"tags/{KIND}/(?P<tag_id>[0-9]+)/accept")
    def accept_tag(self, request, slug=None, kind=None, tag_id=None):
        tag = curation.accept(self.get_tag(kind, tag_id), user=request.user)
        return Response(TAG_KINDS[kind][0](tag).data)

    @extend_schema(summary="Reject a tag", parameters=[KIND_PARAMETER, TAG_ID_PARAMETER],
                   request=None, responses=ANY_TAG)
    @action(detail=True, methods=["post"], permission_classes=[CanCurateTags],
            url_path=f"tags/{KIND}/(?P<tag_id>[0-9]+)/reject")
    def reject_tag(self, request, slug=None, kind=None, tag_id=None):
        tag = curation.reject(self.get_tag(kind, tag_id), user=request.user)
        return Response(TAG_KINDS[kind][0](tag).data)

    @extend_schema(summary="Correct a date's normalized value", parameters=[TAG_ID_PARAMETER],
                   request=DateCorrectionSerializer, responses=DateTagSerializer)
    @action(detail=True, methods=["patch"], permission_classes=[CanCurateTags],
            url_path="tags/dates/(?P<tag_id>[0-9]+)")
    def correct_date(self, request, slug=None, tag_id=None):
        mention = self.get_tag("dates", tag_id)
        serializer = DateCorrectionSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        mention = curation.correct_date(mention, user=request.user, **serializer.validated_data)
        return Response(DateTagSerializer(mention).data)


class PersonViewSet(ReadOnlyViewSet):
    """People in published coverage (staff: the whole authority list)."""

    queryset = Person.objects.none()

    def get_queryset(self):
        return selectors.people_for(self.request.user).order_by("sort_name", "name", "id")

    def get_serializer_class(self):
        return PersonDetailSerializer if self.action == "retrieve" else PersonSerializer


class OrganisationViewSet(ReadOnlyViewSet):
    """Organisations in published coverage (staff: the whole authority list)."""

    queryset = Organisation.objects.none()
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return selectors.organisations_for(self.request.user).order_by("name", "id")


class PlaceViewSet(ReadOnlyViewSet):
    """Places in published coverage (staff: the whole authority list)."""

    queryset = Place.objects.none()
    serializer_class = PlaceSerializer

    def get_queryset(self):
        return selectors.places_for(self.request.user).order_by("name", "id")


class TopicViewSet(ReadOnlyViewSet):
    """The topic tree, flat in tree order: each topic with its parent, its
    path of ancestors and its children."""

    queryset = Topic.objects.none()
    serializer_class = TopicSerializer

    def get_queryset(self):
        return selectors.topics_for(self.request.user).order_by("path")


class SourceViewSet(ReadOnlyViewSet):
    """The publications articles come from."""

    queryset = Source.objects.none()
    serializer_class = SourceSerializer

    def get_queryset(self):
        return selectors.sources_for(self.request.user).order_by("name", "id")


@extend_schema_view(list=extend_schema(summary="The timeline of dates mentioned in live articles"))
class TimelineViewSet(mixins.ListModelMixin, ApiViewSet):
    """Accepted date mentions of live articles, chronologically, each with its
    article; from/to select dates overlapping a range."""

    queryset = DateMention.objects.none()
    serializer_class = TimelineEntrySerializer
    filterset_class = TimelineFilter

    def get_queryset(self):
        return selectors.timeline()


@csrf_exempt  # it changes nothing, and a write to it must be a JSON 404, not a CSRF page
def not_found(request, *args, **kwargs):
    """Any other path under the API: a JSON 404 like every other API error."""
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


@extend_schema(summary="Exchange a username and password for an API token")
class ObtainTokenView(ObtainAuthToken):
    """DRF's obtain_auth_token, throttled like every anonymous request."""

    throttle_classes = [AnonymousRateThrottle]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    renderer_classes = [ORJSONRenderer]
