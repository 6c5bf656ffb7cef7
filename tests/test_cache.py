import importlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views import View

from articles import cache as public
from articles import curation, workflow
from articles.models import Article, Collection, Person, TagState
from tests.factories import ArticleFactory, PersonTagFactory, TopicTagFactory, UserFactory
from tests.public_helpers import DAY, HOUR, collection_of

pytestmark = pytest.mark.django_db


def get(client, url="/", **headers):
    return client.get(url, headers=headers)


class TestConditionalRequests:
    def test_anonymous_pages_carry_etag_last_modified_and_revalidate(self, client):
        ArticleFactory()
        response = get(client)
        assert response.status_code == 200
        assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")
        assert "public" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]

    def test_the_second_request_is_served_from_the_cache_without_queries(
            self, client, django_assert_num_queries):
        ArticleFactory(headline="Cached headline")
        first = get(client)
        with django_assert_num_queries(0):
            second = get(client)
        assert second.content == first.content and second["ETag"] == first["ETag"]

    def test_if_none_match_answers_304(self, client, django_assert_num_queries):
        ArticleFactory()
        etag = get(client)["ETag"]
        with django_assert_num_queries(0):
            response = get(client, **{"If-None-Match": etag})
        assert response.status_code == 304 and response.content == b""
        assert response["ETag"] == etag
        assert get(client, **{"If-None-Match": '"something-else"'}).status_code == 200

    def test_if_modified_since_answers_304_when_nothing_changed_since(self, client):
        ArticleFactory()
        last_modified = get(client)["Last-Modified"]
        assert get(client, **{"If-Modified-Since": last_modified}).status_code == 304
        earlier = http_date((timezone.now() - DAY).timestamp())
        assert get(client, **{"If-Modified-Since": earlier}).status_code == 200

    def test_an_evicted_page_still_validates_if_unchanged(self, client, rf):
        ArticleFactory()
        etag = get(client)["ETag"]
        cache.delete(public.page_key(public.current_generation(), rf.get("/")))
        assert get(client, **{"If-None-Match": etag}).status_code == 304

    def test_head_requests(self, client):
        ArticleFactory()
        response = client.head("/")
        assert response.status_code == 200 and response.content == b"" and response["ETag"]

    def test_pages_are_keyed_by_their_full_path(self, client):
        for i in range(25):
            ArticleFactory(headline=f"Numbered {i:02d}", published_at=timezone.now() - (i + 1) * HOUR)
        assert b"Numbered 00" in get(client, "/").content
        assert b"Numbered 24" in get(client, "/?page=2").content
        assert b"Numbered 00" not in get(client, "/?page=2").content

    def test_gone_pages_are_cached_too(self, client, django_assert_num_queries):
        article = ArticleFactory(status=Article.Status.KILLED, kill_notice="Withdrawn.")
        assert get(client, article.get_absolute_url()).status_code == 410
        with django_assert_num_queries(0):
            assert get(client, article.get_absolute_url()).status_code == 410


class TestSignedInUsersBypassTheCache:
    def test_staff_get_fresh_private_pages_without_validators(self, client, django_assert_max_num_queries):
        ArticleFactory()
        client.force_login(UserFactory())
        first = get(client)
        assert "ETag" not in first and "private" in first["Cache-Control"]
        with django_assert_max_num_queries(20) as queries:
            get(client)
        assert len(queries) > 2  # rendered again, not served from the cache

    def test_staff_requests_do_not_fill_the_anonymous_cache(self, client, django_assert_max_num_queries):
        ArticleFactory(headline="Seen by staff first")
        staff = UserFactory()
        client.force_login(staff)
        get(client)
        client.logout()
        with django_assert_max_num_queries(20) as queries:
            get(client)
        assert len(queries) > 0

    def test_requests_with_credentials_are_not_cached(self, rf):
        calls = []
        view = public.public_cache(lambda request: calls.append(1) or HttpResponse("private data"))
        for _ in range(2):
            request = rf.get("/api/thing", HTTP_AUTHORIZATION="Token abc")
            request.user = AnonymousUser()
            assert "ETag" not in view(request)
        assert len(calls) == 2


class TestInvalidation:
    def test_publishing_through_the_workflow(self, client, django_capture_on_commit_callbacks):
        ArticleFactory(headline="Already live")
        etag = get(client)["ETag"]
        article = ArticleFactory(headline="Newly published", status=Article.Status.APPROVED)
        TopicTagFactory(article=article)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish(article, user=UserFactory(is_superuser=True))
        response = get(client, **{"If-None-Match": etag})
        assert response.status_code == 200 and b"Newly published" in response.content

    def test_public_content_changed_alone_bumps_the_generation(self):
        from articles.signals import public_content_changed

        before = public.current_generation().number
        public_content_changed.send(sender=Article, article=None)
        assert public.current_generation().number != before

    def test_an_admin_edit_of_a_live_article(self, client):
        article = ArticleFactory(headline="Old headline")
        assert b"Old headline" in get(client).content
        article.headline = "New headline"
        article.save()
        page = get(client).content
        assert b"New headline" in page and b"Old headline" not in page

    def test_a_tag_decision(self, client, django_capture_on_commit_callbacks):
        tag = PersonTagFactory(person__name="Pending Name", state=TagState.SUGGESTED)
        url = tag.article.get_absolute_url()
        assert b"Pending Name" not in get(client, url).content
        with django_capture_on_commit_callbacks(execute=True):
            curation.accept(tag, user=UserFactory(is_superuser=True))
        assert b"Pending Name" in get(client, url).content

    def test_a_correction(self, client, django_capture_on_commit_callbacks):
        article = ArticleFactory()
        get(client, article.get_absolute_url())
        with django_capture_on_commit_callbacks(execute=True):
            workflow.correct(article, user=UserFactory(is_superuser=True), text="Fixed a date.")
        assert b"Fixed a date." in get(client, article.get_absolute_url()).content

    def test_killing_an_article(self, client, django_capture_on_commit_callbacks):
        article = ArticleFactory()
        assert get(client, article.get_absolute_url()).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            workflow.kill(article, user=UserFactory(is_superuser=True), reason="Legal takedown.")
        assert get(client, article.get_absolute_url()).status_code == 410

    def test_deletions_collections_and_people(self, client):
        article = ArticleFactory(headline="To be deleted")
        assert b"To be deleted" in get(client).content
        article.delete()
        assert b"To be deleted" not in get(client).content

        collection = collection_of([ArticleFactory()], name="Old collection name")
        assert b"Old collection name" in get(client).content
        Collection.objects.get(pk=collection.pk).delete()
        assert b"Old collection name" not in get(client).content

        tag = PersonTagFactory(person__name="Before Rename")
        assert b"Before Rename" in get(client, "/people/").content
        person = Person.objects.get(pk=tag.person_id)
        person.name = "After Rename"
        person.save()
        assert b"After Rename" in get(client, "/people/").content

    def test_model_changes_bump_again_when_their_transaction_commits(self, django_capture_on_commit_callbacks):
        # A reader between the immediate bump and the commit could cache the
        # old content under the new generation; the bump on commit drops it.
        with django_capture_on_commit_callbacks() as callbacks:
            ArticleFactory()
        assert public.bump in callbacks

    def test_a_scheduled_article_appears_when_its_time_comes(self, client, monkeypatch):
        now = timezone.now()
        ArticleFactory(headline="Scheduled for later", published_at=now + HOUR)
        first = get(client)
        assert b"Scheduled for later" not in first.content
        assert get(client).content == first.content  # cached meanwhile
        later = now + 2 * HOUR
        monkeypatch.setattr(timezone, "now", lambda: later)
        second = get(client)
        assert b"Scheduled for later" in second.content
        assert second["ETag"] != first["ETag"]
        assert second["Last-Modified"] == http_date(later.timestamp())

    def test_an_embargo_lifting_is_a_change_too(self, client, monkeypatch):
        now = timezone.now()
        ArticleFactory(headline="Under embargo", embargo_until=now + HOUR)
        assert b"Under embargo" not in get(client).content
        monkeypatch.setattr(timezone, "now", lambda: now + 2 * HOUR)
        assert b"Under embargo" in get(client).content

    def test_a_lost_counter_restarts_above_every_earlier_value(self, settings):
        settings.PUBLIC_CACHE_LOCAL_SECONDS = 0  # the shared counter itself
        public.bump()
        before = public.current_generation().number
        cache.delete(public.GENERATION_KEY)
        assert public.current_generation().number > before


class TestTheProcessFirstLevel:
    """Each process trusts the generation it read for a second and keeps the
    pages it served: a hit in a shared (Redis) cache costs no round trip."""

    @pytest.fixture
    def shared_reads(self, monkeypatch):
        reads = []
        for name in ("get", "get_many"):
            original = getattr(cache, name)

            def counting(*args, _original=original, _name=name, **kwargs):
                reads.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(cache, name, counting)
        return reads

    def test_a_repeated_hit_touches_neither_the_shared_cache_nor_the_database(
            self, client, shared_reads, django_assert_num_queries):
        ArticleFactory(headline="Hello")
        get(client)
        shared_reads.clear()
        with django_assert_num_queries(0):
            assert b"Hello" in get(client).content
        assert shared_reads == []

    def test_the_generation_is_read_again_after_a_second(self, client, shared_reads, monkeypatch):
        get(client)
        shared_reads.clear()
        later = timezone.now() + public.datetime.timedelta(seconds=1.5)
        monkeypatch.setattr(timezone, "now", lambda: later)
        get(client)
        assert "get_many" in shared_reads

    def test_a_bump_here_is_seen_at_once_a_bump_elsewhere_within_the_second(
            self, client, monkeypatch):
        article = ArticleFactory(headline="Before")
        get(client)
        Article.objects.filter(pk=article.pk).update(headline="Elsewhere")  # no signal
        cache.incr(public.GENERATION_KEY)  # what another process's bump does to the shared cache
        assert b"Before" in get(client).content  # this process trusts its second
        later = timezone.now() + public.datetime.timedelta(seconds=1.5)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert b"Elsewhere" in get(client).content
        article.refresh_from_db()
        article.headline = "Here"
        article.save()  # this process's bump
        assert b"Here" in get(client).content

    def test_never_trusted_past_the_next_scheduled_go_live(self, client, monkeypatch, settings):
        settings.PUBLIC_CACHE_LOCAL_SECONDS = 3600
        now = timezone.now()
        ArticleFactory(headline="Going live", published_at=now + public.datetime.timedelta(seconds=5))
        assert b"Going live" not in get(client).content
        monkeypatch.setattr(timezone, "now", lambda: now + public.datetime.timedelta(seconds=6))
        assert b"Going live" in get(client).content

    def test_the_pages_kept_are_bounded(self, client, settings):
        settings.PUBLIC_CACHE_LOCAL_PAGES = 2
        for url in ("/", "/timeline/", "/archive/"):
            get(client, url)
        assert len(public.local.pages) == 2
        settings.PUBLIC_CACHE_LOCAL_SECONDS = 0
        public.local.forget()
        get(client, "/")
        assert public.local.generation is None


class TestTheDecoratorIsGeneric:
    def make_request(self, rf, method="get", path="/thing/"):
        request = getattr(rf, method)(path)
        request.user = AnonymousUser()
        return request

    def test_a_function_view(self, rf):
        calls = []

        @public.public_cache
        def view(request):
            calls.append(1)
            return HttpResponse("hello")

        first = view(self.make_request(rf))
        second = view(self.make_request(rf))
        assert first.content == second.content == b"hello" and len(calls) == 1
        assert first["ETag"] == second["ETag"]

    def test_a_method_through_method_decorator(self, rf):
        calls = []

        class Thing(View):
            @method_decorator(public.public_cache)
            def get(self, request):
                calls.append(1)
                return HttpResponse("thing")

        view = Thing.as_view()
        assert view(self.make_request(rf)).content == b"thing"
        assert view(self.make_request(rf))["ETag"]
        assert len(calls) == 1

    def test_unsafe_methods_cookies_and_errors_are_not_cached(self, rf):
        calls = []

        @public.public_cache
        def view(request):
            calls.append(request.method)
            response = HttpResponse("x", status=500 if request.GET.get("fail") else 200)
            if request.GET.get("cookie"):
                response.set_cookie("c", "1")
            return response

        for _ in range(2):
            view(self.make_request(rf, "post"))
            view(self.make_request(rf, path="/thing/?cookie=1"))
            view(self.make_request(rf, path="/thing/?fail=1"))
        assert len(calls) == 6


class TestWithoutACache:
    def test_dummy_cache_still_validates_by_content(self, client, settings):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        ArticleFactory()
        etag = get(client)["ETag"]
        assert get(client, **{"If-None-Match": etag}).status_code == 304


class TestCacheSettings:
    @pytest.fixture(autouse=True)
    def restore_settings_module(self, monkeypatch):
        yield
        monkeypatch.delenv("CACHE_URL", raising=False)
        import newsroom.settings

        importlib.reload(newsroom.settings)

    def load(self, monkeypatch, url=None):
        monkeypatch.delenv("CACHE_URL", raising=False)
        if url is not None:
            monkeypatch.setenv("CACHE_URL", url)
        import newsroom.settings

        return importlib.reload(newsroom.settings).CACHES["default"]

    def test_local_memory_by_default(self, monkeypatch):
        assert self.load(monkeypatch)["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"

    def test_redis_from_cache_url(self, monkeypatch):
        config = self.load(monkeypatch, "redis://cache.internal:6379/1")
        assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert config["LOCATION"] == "redis://cache.internal:6379/1"

    def test_dummy(self, monkeypatch):
        assert self.load(monkeypatch, "dummy://")["BACKEND"] == "django.core.cache.backends.dummy.DummyCache"

    def test_anything_else_is_refused(self, monkeypatch):
        with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
            self.load(monkeypatch, "memcached://x")


def test_next_scheduled_change_is_the_earliest_go_live_moment():
    now = timezone.now()
    assert public.next_scheduled_change(now.timestamp()) == public.NO_SCHEDULED_CHANGE
    ArticleFactory(published_at=now + 2 * DAY)
    embargoed = ArticleFactory(published_at=now - DAY, embargo_until=now + DAY)
    ArticleFactory(status=Article.Status.DRAFT, published_at=now + HOUR)
    assert public.next_scheduled_change(now.timestamp()) == pytest.approx(
        embargoed.embargo_until.timestamp())
