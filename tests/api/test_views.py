import datetime

import pytest
from django.utils import timezone

from articles.models import Article, ArticlePerson, DateMention, TagOrigin, TagState, TransitionLog
from tests.factories import DraftFactory, TopicTagFactory

from .conftest import NOW

pytestmark = pytest.mark.django_db


def slugs(response):
    return [item["slug"] for item in response.json()["results"]]


class TestArticleList:
    def test_lists_live_articles_only_newest_first(self, api, world):
        response = api.get("/api/v1/articles/")
        assert response.status_code == 200
        assert slugs(response) == [world.visit.slug, world.budget.slug]
        assert response.json()["count"] == 2

    def test_an_item_carries_its_accepted_tags_and_canonical_url(self, api, world):
        item = api.get("/api/v1/articles/").json()["results"][0]
        assert item["url"] == f"http://testserver/articles/{world.visit.slug}/"
        assert item["api_url"] == f"http://testserver/api/v1/articles/{world.visit.slug}/"
        assert item["source"] == {"slug": "phnom-penh-daily", "name": "Phnom Penh Daily"}
        assert item["bylines"] == [{"slug": "sok-chea", "name": "Sok Chea", "role": "author"}]
        assert item["people"] == [
            {"slug": "hun-sen", "name": "Hun Sen", "relation": "about"},
            {"slug": "yoko-kamikawa", "name": "Yoko Kamikawa", "relation": "mentions"},
        ]
        assert item["organisations"] == [{"slug": "asean", "name": "ASEAN", "relation": "mentions"}]
        assert item["places"] == [{"slug": "phnom-penh", "name": "Phnom Penh",
                                   "relation": "mentions"}]
        assert item["topics"] == [{"slug": "diplomacy", "name": "Diplomacy",
                                   "path": [{"slug": "politics", "name": "Politics"}]}]
        assert item["dates"] == [{
            "text": "July 5-6", "date_from": "2024-07-05", "date_to": "2024-07-06",
            "precision": "day", "value": "2024-07-05", "mod": "", "label": "The visit",
        }]

    def test_suggested_and_rejected_tags_are_not_shown(self, api, world):
        item = api.get("/api/v1/articles/").json()["results"][0]
        assert "only-in-drafts" not in [p["slug"] for p in item["people"]]


class TestArticleDetail:
    def test_the_full_article(self, api, world):
        response = api.get(f"/api/v1/articles/{world.visit.slug}/")
        assert response.status_code == 200
        article = response.json()
        assert article["body"].startswith("Japan's foreign minister")
        assert article["paragraphs"] == ["Japan's foreign minister met Hun Sen.",
                                         "They spoke of trade."]
        assert article["captions"] == ["Kamikawa arrives. Photo: AP", "Hun Sen greets her."]
        assert article["dateline"] == {"slug": "phnom-penh", "name": "Phnom Penh"}
        assert [c["text"] for c in article["corrections"]] == [
            "An earlier version misspelt Kamikawa."]
        assert article["version"] == 1

    @pytest.mark.parametrize("which", ["draft", "embargoed", "scheduled"])
    def test_an_article_that_is_not_live_is_a_404_to_the_public(self, api, world, which):
        response = api.get(f"/api/v1/articles/{getattr(world, which).slug}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No Article matches the given query.",
                                   "code": "not_found"}

    def test_staff_with_view_permission_see_any_article(self, as_reporter, world):
        response = as_reporter.get(f"/api/v1/articles/{world.draft.slug}/")
        assert response.status_code == 200
        assert response.json()["status"] == "draft"

    def test_a_killed_article_is_gone_with_its_notice(self, api, world):
        Article.objects.filter(pk=world.budget.pk).update(
            status=Article.Status.KILLED, kill_notice="Withdrawn for legal reasons.")
        response = api.get(f"/api/v1/articles/{world.budget.slug}/")
        assert response.status_code == 410
        assert response.json()["detail"] == "Withdrawn for legal reasons."

    def test_unknown_slug(self, api, world):
        assert api.get("/api/v1/articles/nothing-here/").status_code == 404


class TestAuthorityLists:
    def test_people_in_live_coverage(self, api, world):
        response = api.get("/api/v1/people/")
        assert slugs(response) == ["hun-sen", "yoko-kamikawa", "sok-chea"]

    def test_a_person_with_aliases_roles_and_live_article_count(self, api, world):
        person = api.get("/api/v1/people/hun-sen/").json()
        assert person["aliases"] == ["Samdech Techo Hun Sen"]
        assert person["live_articles"] == 2
        assert person["url"] == "http://testserver/people/hun-sen/"
        assert person["roles"] == [
            {"title": "Prime Minister", "organisation": None,
             "country": {"slug": "cambodia", "name": "Cambodia"},
             "start_date": "1985-01-14", "end_date": "2023-08-22"},
            {"title": "President of the Senate", "organisation": None, "country": None,
             "start_date": "2024-04-03", "end_date": None},
        ]

    def test_a_person_seen_only_in_drafts_stays_hidden_from_the_public(self, api, as_reporter,
                                                                       world):
        assert api.get("/api/v1/people/only-in-drafts/").status_code == 404
        assert as_reporter.get("/api/v1/people/only-in-drafts/").status_code == 200

    def test_organisations(self, api, world):
        response = api.get("/api/v1/organisations/")
        assert response.json()["results"][0] | {"url": None} == {
            "slug": "asean", "name": "ASEAN", "url": None,
            "api_url": "http://testserver/api/v1/organisations/asean/",
            "description": "", "wikidata_id": "", "aliases": [], "live_articles": 1,
        }
        assert api.get("/api/v1/organisations/asean/").status_code == 200

    def test_places_with_their_parent_and_datelines_count_as_coverage(self, api, world):
        assert slugs(api.get("/api/v1/places/")) == ["phnom-penh"]
        place = api.get("/api/v1/places/phnom-penh/").json()
        assert place["parent"] == {"slug": "cambodia", "name": "Cambodia"}
        assert place["kind"] == "city"

    def test_topics_as_a_tree(self, api, world):
        topics = api.get("/api/v1/topics/").json()["results"]
        by_slug = {t["slug"]: t for t in topics}
        assert [t["slug"] for t in topics] == ["politics", "diplomacy", "economy"]
        assert by_slug["politics"]["children"] == [{"slug": "diplomacy", "name": "Diplomacy"}]
        assert by_slug["diplomacy"]["parent"] == {"slug": "politics", "name": "Politics"}
        assert by_slug["diplomacy"]["path"] == [{"slug": "politics", "name": "Politics"}]
        assert by_slug["diplomacy"]["live_articles"] == 1
        assert api.get("/api/v1/topics/economy/").json()["path"] == []

    def test_sources(self, api, world):
        sources = {s["slug"]: s for s in api.get("/api/v1/sources/").json()["results"]}
        assert sources["phnom-penh-daily"]["live_articles"] == 1
        assert api.get("/api/v1/sources/asia-wire/").json()["name"] == "Asia Wire"


class TestTimeline:
    def test_accepted_dates_of_live_articles_in_date_order(self, api, world):
        entries = api.get("/api/v1/dates/").json()["results"]
        assert [e["text"] for e in entries] == ["July 5-6", "2025"]
        assert entries[0]["article"] == {
            "slug": world.visit.slug, "headline": world.visit.headline,
            "published_at": world.visit.published_at.isoformat().replace("+00:00", "Z"),
            "url": f"http://testserver/articles/{world.visit.slug}/",
            "api_url": f"http://testserver/api/v1/articles/{world.visit.slug}/",
        }


class TestCreate:
    def test_a_reporter_creates_a_draft(self, as_reporter, reporter, world):
        response = as_reporter.post("/api/v1/articles/", {
            "headline": "Floods in Battambang", "body": "Water rose.", "source": "asia-wire",
            "dateline": "cambodia",
        }, format="json")
        assert response.status_code == 201, response.json()
        article = Article.objects.get(slug="floods-in-battambang")
        assert (article.status, article.created_by, article.source) == (
            Article.Status.DRAFT, reporter, world.wire)
        assert response["Location"] == "http://testserver/api/v1/articles/floods-in-battambang/"
        assert response["ETag"].startswith('"v1-')
        assert response.json()["status"] == "draft"

    def test_the_status_cannot_be_set_on_creation(self, as_publisher, world):
        response = as_publisher.post("/api/v1/articles/", {
            "headline": "Straight to print", "status": "published"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"status": ["Read-only here: use /transitions/."]}
        assert not Article.objects.filter(headline="Straight to print").exists()

    def test_unknown_and_read_only_keys_are_named_not_dropped(self, as_reporter, world):
        response = as_reporter.post("/api/v1/articles/", {
            "headline": "Typo", "foo": 1, "bodyy": "x", "version": 7, "corrections": []},
            format="json")
        assert response.status_code == 400
        assert response.json() == {"foo": ["Unknown field."], "bodyy": ["Unknown field."],
                                   "version": ["Read-only: send it in If-Match."],
                                   "corrections": ["Read-only."]}

    def test_a_created_draft_gets_tag_suggestions(self, as_reporter, world,
                                                  django_capture_on_commit_callbacks):
        from articles import tagger

        tagger.reset_cache()
        with django_capture_on_commit_callbacks(execute=True):
            response = as_reporter.post("/api/v1/articles/", {
                "headline": "Hun Sen speaks", "source": "asia-wire",
                "body": "Hun Sen spoke in Phnom Penh on 5 July 2024 about ASEAN."},
                format="json")
        tagger.reset_cache()
        assert response.status_code == 201, response.json()
        article = Article.objects.get(slug=response.json()["slug"])
        people = ArticlePerson.objects.filter(article=article)
        assert {(t.person.slug, t.state, t.origin) for t in people} >= {
            ("hun-sen", TagState.SUGGESTED, TagOrigin.TAGGER)}
        assert DateMention.objects.filter(article=article, state=TagState.SUGGESTED,
                                          value="2024-07-05").exists()
        article.refresh_from_db()
        assert not tagger.needs_tagging(article)

    def test_invalid_fields_are_named(self, as_reporter, world):
        response = as_reporter.post("/api/v1/articles/", {
            "source": "nowhere", "published_at": "yesterday"}, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "headline": ["This field is required."],
            "source": ["Unknown source: 'nowhere'."],
            "published_at": [response.json()["published_at"][0]],
        }
        assert "Datetime has wrong format" in response.json()["published_at"][0]


class TestEdit:
    def test_patch_with_the_etag_saves_and_bumps_the_version(self, as_reporter, own_draft):
        etag = as_reporter.get(f"/api/v1/articles/{own_draft.slug}/")["ETag"]
        response = as_reporter.patch(f"/api/v1/articles/{own_draft.slug}/",
                                     {"standfirst": "New summary."}, format="json",
                                     HTTP_IF_MATCH=etag)
        assert response.status_code == 200, response.json()
        assert response.json()["standfirst"] == "New summary."
        assert response.json()["version"] == 2
        assert response["ETag"].startswith('"v2-')
        own_draft.refresh_from_db()
        assert (own_draft.standfirst, own_draft.version) == ("New summary.", 2)

    def test_the_bare_version_number_is_accepted_as_if_match(self, as_reporter, own_draft):
        response = as_reporter.patch(f"/api/v1/articles/{own_draft.slug}/", {"body": "Text."},
                                     format="json", HTTP_IF_MATCH="1")
        assert response.status_code == 200

    def test_patch_without_if_match_is_428(self, as_reporter, own_draft):
        response = as_reporter.patch(f"/api/v1/articles/{own_draft.slug}/", {"body": "x"},
                                     format="json")
        assert response.status_code == 428
        assert response.json()["code"] == "if_match_required"

    def test_a_stale_version_is_412_and_nothing_is_lost(self, as_reporter, as_editor, own_draft):
        etag = as_reporter.get(f"/api/v1/articles/{own_draft.slug}/")["ETag"]
        first = as_editor.patch(f"/api/v1/articles/{own_draft.slug}/", {"body": "Editor's."},
                                format="json", HTTP_IF_MATCH=etag)
        assert first.status_code == 200
        second = as_reporter.patch(f"/api/v1/articles/{own_draft.slug}/", {"body": "Mine."},
                                   format="json", HTTP_IF_MATCH=etag)
        assert second.status_code == 412
        assert "editor changed this article" in second.json()["detail"]
        own_draft.refresh_from_db()
        assert own_draft.body == "Editor's."

    def test_an_if_match_that_is_no_etag_of_ours_is_400(self, as_reporter, own_draft):
        response = as_reporter.patch(f"/api/v1/articles/{own_draft.slug}/", {"body": "x"},
                                     format="json", HTTP_IF_MATCH='"abc"')
        assert response.status_code == 400
        assert list(response.json()) == ["If-Match"]

    def test_if_match_star_does_not_protect_and_is_refused(self, as_reporter, own_draft):
        response = as_reporter.patch(f"/api/v1/articles/{own_draft.slug}/", {"body": "x"},
                                     format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 428

    def test_patching_the_status_is_refused_and_changes_nothing(self, as_publisher, world):
        response = as_publisher.patch(f"/api/v1/articles/{world.draft.slug}/",
                                      {"status": "published", "foo": "x"}, format="json",
                                      HTTP_IF_MATCH=str(world.draft.version))
        assert response.status_code == 400
        assert response.json() == {"status": ["Read-only here: use /transitions/."],
                                   "foo": ["Unknown field."]}
        world.draft.refresh_from_db()
        assert (world.draft.status, world.draft.version) == (Article.Status.DRAFT, 1)

    def test_an_edit_of_the_text_is_tagged_again(self, as_reporter, own_draft, world,
                                                 django_capture_on_commit_callbacks):
        from articles import tagger

        tagger.reset_cache()
        with django_capture_on_commit_callbacks(execute=True):
            response = as_reporter.patch(f"/api/v1/articles/{own_draft.slug}/",
                                         {"body": "Hun Sen met ministers."}, format="json",
                                         HTTP_IF_MATCH=str(own_draft.version))
        tagger.reset_cache()
        assert response.status_code == 200, response.json()
        assert ArticlePerson.objects.filter(article=own_draft, person=world.hun_sen,
                                            state=TagState.SUGGESTED).exists()

    def test_model_validation_errors_come_back_as_400(self, as_reporter, own_draft):
        response = as_reporter.patch(f"/api/v1/articles/{own_draft.slug}/",
                                     {"original_url": "not a url"}, format="json",
                                     HTTP_IF_MATCH="1")
        assert response.status_code == 400
        assert list(response.json()) == ["original_url"]


class TestTransitions:
    def test_lists_the_transitions_open_to_the_user(self, as_reporter, own_draft):
        response = as_reporter.get(f"/api/v1/articles/{own_draft.slug}/transitions/")
        assert response.json() == [{"name": "submit", "label": "Submit for review",
                                    "to": "review", "needs_comment": False}]

    def test_submit_then_approve_then_publish(self, as_reporter, as_editor, as_publisher,
                                              own_draft, world):
        url = f"/api/v1/articles/{own_draft.slug}/transitions/"
        assert as_reporter.post(url, {"to": "review"}, format="json").status_code == 200
        assert as_editor.post(url, {"to": "approved", "comment": "Good."},
                              format="json").status_code == 200
        TopicTagFactory(article=own_draft, topic=world.economy)
        at = (NOW - datetime.timedelta(minutes=5)).isoformat()
        response = as_publisher.post(url, {"to": "published", "at": at}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "published"
        assert response.json()["version"] == 4
        assert list(TransitionLog.objects.filter(article=own_draft)
                    .values_list("transition", flat=True)) == ["publish", "approve", "submit"]

    def test_a_transition_the_state_does_not_allow_is_409_saying_why(self, as_publisher,
                                                                     own_draft):
        response = as_publisher.post(f"/api/v1/articles/{own_draft.slug}/transitions/",
                                     {"to": "archived"}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "transition_not_allowed"
        assert "it can move to: review" in response.json()["detail"]

    def test_a_failed_precondition_is_409_with_its_problems(self, as_editor, world):
        empty = DraftFactory(headline="Empty", body="", source=None)
        response = as_editor.post(f"/api/v1/articles/{empty.slug}/transitions/",
                                  {"to": "review"}, format="json")
        assert response.status_code == 409
        assert response.json()["problems"] == ["The article needs a body."]

    def test_a_role_that_may_not_is_403(self, as_reporter, own_draft):
        Article.objects.filter(pk=own_draft.pk).update(status=Article.Status.REVIEW)
        response = as_reporter.post(f"/api/v1/articles/{own_draft.slug}/transitions/",
                                    {"to": "approved"}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "You are not allowed to approve this article."

    def test_an_optional_if_match_guards_a_transition_too(self, as_reporter, own_draft):
        response = as_reporter.post(f"/api/v1/articles/{own_draft.slug}/transitions/",
                                    {"to": "review"}, format="json", HTTP_IF_MATCH='"v7"')
        assert response.status_code == 412
        own_draft.refresh_from_db()
        assert own_draft.status == Article.Status.DRAFT

    def test_an_unknown_target_state_is_400(self, as_reporter, own_draft):
        response = as_reporter.post(f"/api/v1/articles/{own_draft.slug}/transitions/",
                                    {"to": "printed"}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["to"]

    def test_an_unknown_key_in_a_transition_is_400(self, as_reporter, own_draft):
        response = as_reporter.post(f"/api/v1/articles/{own_draft.slug}/transitions/",
                                    {"to": "in_review", "coment": "typo"}, format="json")
        assert response.json() == {"coment": ["Unknown field."]}
        own_draft.refresh_from_db()
        assert own_draft.status == Article.Status.DRAFT


class TestTagCuration:
    def test_lists_every_tag_of_every_state_with_provenance(self, as_editor, world):
        tags = as_editor.get(f"/api/v1/articles/{world.visit.slug}/tags/").json()
        assert set(tags) == {"people", "organisations", "places", "topics", "dates"}
        suggested = next(t for t in tags["people"] if t["person"]["slug"] == "only-in-drafts")
        assert suggested["state"] == "suggested"
        assert suggested["confidence"] == 0.6
        assert set(suggested) >= {"id", "relation", "origin", "tagger_version", "evidence",
                                  "decided_by", "decided_at"}
        assert tags["dates"][0]["value"] == "2024-07-05"

    def test_accept_and_reject(self, as_editor, world):
        url = f"/api/v1/articles/{world.visit.slug}/tags/people/{world.suggested.pk}"
        response = as_editor.post(f"{url}/accept/")
        assert response.status_code == 200
        assert (response.json()["state"], response.json()["decided_by"]) == ("accepted", "editor")
        assert as_editor.post(f"{url}/reject/").json()["state"] == "rejected"
        world.suggested.refresh_from_db()
        assert world.suggested.state == TagState.REJECTED

    def test_a_tag_of_another_article_is_404(self, as_editor, world):
        other = ArticlePerson.objects.filter(article=world.budget).first()
        response = as_editor.post(
            f"/api/v1/articles/{world.visit.slug}/tags/people/{other.pk}/accept/")
        assert response.status_code == 404

    @pytest.mark.parametrize("kind, body, record", [
        ("people", {"person": "only-in-drafts", "relation": "about"}, "person"),
        ("organisations", {"organisation": "asean"}, "organisation"),
        ("places", {"place": "cambodia"}, "place"),
        ("topics", {"topic": "politics"}, "topic"),
    ])
    def test_add_a_tag_by_hand(self, as_editor, world, kind, body, record):
        response = as_editor.post(f"/api/v1/articles/{world.budget.slug}/tags/{kind}/", body,
                                  format="json")
        assert response.status_code == 201, response.json()
        tag = response.json()
        assert (tag["state"], tag["origin"], tag["confidence"]) == ("accepted", "editor", 1.0)
        assert tag[record]["slug"] == body[record]

    def test_add_a_date_by_hand(self, as_editor, world):
        response = as_editor.post(f"/api/v1/articles/{world.budget.slug}/tags/dates/", {
            "text": "next March", "date_from": "2025-03-01", "date_to": "2025-03-31",
            "precision": "month", "value": "2025-03"}, format="json")
        assert response.status_code == 201, response.json()
        assert DateMention.objects.get(pk=response.json()["id"]).origin == TagOrigin.EDITOR

    def test_a_duplicate_or_invalid_tag_is_400(self, as_editor, world):
        duplicate = as_editor.post(f"/api/v1/articles/{world.visit.slug}/tags/people/",
                                   {"person": "hun-sen"}, format="json")
        assert duplicate.json() == {
            "non_field_errors": ["Person tag with this Article and Person already exists."]}
        backwards = as_editor.post(f"/api/v1/articles/{world.budget.slug}/tags/dates/", {
            "text": "x", "date_from": "2025-03-31", "date_to": "2025-03-01",
            "precision": "month", "value": "2025-03"}, format="json")
        assert backwards.status_code == 400
        unknown = as_editor.post(f"/api/v1/articles/{world.budget.slug}/tags/people/",
                                 {"person": "nobody"}, format="json")
        assert unknown.json() == {"person": ["Unknown person: 'nobody'."]}
        extra = as_editor.post(f"/api/v1/articles/{world.budget.slug}/tags/people/",
                               {"person": "hun-sen", "state": "accepted"}, format="json")
        assert extra.json() == {"state": ["Unknown field."]}

    def test_correct_a_dates_normalized_value(self, as_editor, world):
        response = as_editor.patch(
            f"/api/v1/articles/{world.visit.slug}/tags/dates/{world.visit_date.pk}/",
            {"date_to": "2024-07-05", "value": "2024-07-05", "mod": "APPROX"}, format="json")
        assert response.status_code == 200, response.json()
        world.visit_date.refresh_from_db()
        assert (world.visit_date.date_to, world.visit_date.mod) == (datetime.date(2024, 7, 5),
                                                                    "APPROX")
        bad = as_editor.patch(
            f"/api/v1/articles/{world.visit.slug}/tags/dates/{world.visit_date.pk}/",
            {"value": "last summer"}, format="json")
        assert bad.status_code == 400
        assert list(bad.json()) == ["value"]


class TestToken:
    def test_obtain_a_token_and_use_it(self, api, publisher, world):
        publisher.set_password("s3cret-pass")
        publisher.save()
        response = api.post("/api/v1/auth/token/",
                            {"username": "publisher", "password": "s3cret-pass"}, format="json")
        assert response.status_code == 200
        api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert api.get("/api/v1/articles/?status=draft").status_code == 200

    def test_wrong_credentials(self, api, publisher):
        response = api.post("/api/v1/auth/token/", {"username": "publisher", "password": "no"},
                            format="json")
        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": ["Unable to log in with provided credentials."]}

    def test_a_wrong_token_is_401_with_a_challenge(self, api, world):
        api.credentials(HTTP_AUTHORIZATION="Token nonsense")
        response = api.get("/api/v1/articles/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


class TestSessions:
    def test_a_signed_in_editor_reads_drafts_through_the_session(self, client, editor, world):
        client.force_login(editor)
        response = client.get("/api/v1/articles/", {"status": "draft"})
        assert response.status_code == 200
        assert [a["slug"] for a in response.json()["results"]] == [world.draft.slug]

    def test_session_writes_need_the_csrf_token(self, editor, world):
        from rest_framework.test import APIClient

        client = APIClient(enforce_csrf_checks=True)
        client.force_login(editor)
        response = client.post("/api/v1/articles/", {"headline": "x"}, format="json")
        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]


def test_unknown_paths_under_the_api_are_json_404s(api):
    response = api.get("/api/v1/nothing/here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_writes_need_credentials(api, world):
    response = api.post("/api/v1/articles/", {"headline": "x"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_scheduled_article_goes_live_in_the_list_when_its_time_comes(api, world):
    Article.objects.filter(pk=world.scheduled.pk).update(
        published_at=timezone.now() - datetime.timedelta(seconds=1))
    assert world.scheduled.slug in slugs(api.get("/api/v1/articles/"))

