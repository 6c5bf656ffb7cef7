import datetime

import pytest
from django.utils import timezone

from articles import curation, tagger
from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    DateMention,
    PersonAlias,
    PersonCandidate,
    TagOrigin,
    TagState,
)
from tests.factories import (
    ArticleFactory,
    DraftFactory,
    PersonFactory,
    PersonTagFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
BODY = ("Japanese Foreign Minister Yoko Kamikawa will visit Cambodia from July 5-6. Kamikawa will "
        "discuss peacekeeping and Cambodian peacekeepers. Cambodian Centre for Regional Studies researcher Ek Bunly said the "
        "visit matters. Bunly added that peacekeeping training is valued.")


@pytest.fixture
def newsroom(db):
    tagger.reset_cache()
    kamikawa = PersonFactory(name="Yoko Kamikawa")
    PersonAlias.objects.create(record=kamikawa, name="Kamikawa Yoko")
    PersonFactory(name="Hun Sen")
    topic = TopicFactory(name="Peacekeeping", keywords="peacekeeping\npeacekeepers")
    article = DraftFactory(body=BODY, headline="Kamikawa to visit",
                           published_at=timezone.make_aware(datetime.datetime(2024, 7, 2, 9)))
    yield {"kamikawa": kamikawa, "topic": topic, "article": article}
    tagger.reset_cache()


def test_tag_article_stores_suggestions_with_evidence(newsroom):
    article = newsroom["article"]
    result = tagger.tag_article(article)
    tag = ArticlePerson.objects.get(article=article, person=newsroom["kamikawa"])
    assert (tag.state, tag.origin, tag.tagger_version) == (TagState.SUGGESTED, TagOrigin.TAGGER,
                                                           tagger.TAGGER_VERSION)
    assert [(e["field"], e["text"]) for e in tag.evidence] == [
        ("body", "Yoko Kamikawa"), ("body", "Kamikawa"), ("headline", "Kamikawa")]
    tag.full_clean()
    assert tag.relation == "about"
    date = DateMention.objects.get(article=article, value="2024-07-05")
    assert (str(date.date_from), str(date.date_to), date.state) == ("2024-07-05", "2024-07-06", "suggested")
    assert ArticleTopic.objects.get(article=article).topic == newsroom["topic"]
    candidate = PersonCandidate.objects.get(article=article)
    assert candidate.name == "Ek Bunly" and "researcher" in candidate.role
    assert result.created >= 3 and result.candidates == 1
    assert not tagger.needs_tagging(Article.objects.get(pk=article.pk))


def test_retagging_keeps_editors_decisions_and_never_reoffers_a_rejection(newsroom):
    article = newsroom["article"]
    tagger.tag_article(article)
    editor = UserFactory(group="Editor")
    tag = ArticlePerson.objects.get(article=article)
    curation.reject(tag, user=editor)
    tagger.tag_article(article)
    assert ArticlePerson.objects.get(article=article).state == TagState.REJECTED
    assert ArticlePerson.objects.filter(article=article).count() == 1


def test_stale_suggestions_are_withdrawn_when_the_text_changes(newsroom):
    article = newsroom["article"]
    tagger.tag_article(article)
    accepted = ArticleTopic.objects.get(article=article)
    curation.accept(accepted, user=UserFactory(group="Editor"))
    article.body = "A text about nothing in particular."
    article.save()
    result = tagger.tag_article(article)
    assert not ArticlePerson.objects.filter(article=article).exists()
    assert not DateMention.objects.filter(article=article).exists()
    assert ArticleTopic.objects.get(article=article).state == TagState.ACCEPTED  # decisions stay
    assert result.removed >= 2 and not PersonCandidate.objects.filter(article=article).exists()


def test_an_edit_tags_the_new_text_after_commit(newsroom, django_capture_on_commit_callbacks):
    article = newsroom["article"]
    editor = UserFactory(group="Editor")
    with django_capture_on_commit_callbacks(execute=True):
        curation.edit_article(article=article, user=editor, expected_version=article.version,
                              changes={"body": "Hun Sen met reporters."})
    assert ArticlePerson.objects.get(article=article).person.name == "Hun Sen"


def test_rejections_lower_the_confidence_of_a_form(newsroom):
    editor = UserFactory(group="Editor")
    first = tagger.build_tagger().suggest(BODY, published=datetime.date(2024, 7, 2))
    before = next(p for p in first["people"] if p["record"] == "yoko-kamikawa")["confidence"]
    for _ in range(4):
        other = ArticleFactory(body="Kamikawa spoke.")
        tag = ArticlePerson.objects.create(article=other, person=newsroom["kamikawa"],
                                           origin=TagOrigin.TAGGER, evidence=[{"start": 0, "end": 8, "text": "Kamikawa"}])
        curation.reject(tag, user=editor)
    after_result = tagger.build_tagger().suggest(BODY, published=datetime.date(2024, 7, 2))
    after = next(p for p in after_result["people"] if p["record"] == "yoko-kamikawa")["confidence"]
    assert after < before


def test_accepted_topics_give_a_prior_to_articles_about_the_same_people(newsroom):
    hun_sen = newsroom["kamikawa"]
    diplomacy = TopicFactory(name="Summitry", keywords="summitry")
    for _ in range(3):
        article = ArticleFactory()
        PersonTagFactory(article=article, person=hun_sen)
        ArticleTopic.objects.create(article=article, topic=diplomacy, state=TagState.ACCEPTED)
    records = {t.key: t for t in tagger.topic_records()}
    assert records[diplomacy.slug].prior[f"person:{hun_sen.slug}"] == pytest.approx(3 / 4)
    excluded = {t.key: t for t in tagger.topic_records(exclude_articles=list(
        Article.objects.values_list("pk", flat=True)))}
    assert excluded[diplomacy.slug].prior == {}


def test_the_tagger_is_built_once_and_rebuilt_when_the_authority_list_changes(newsroom):
    first = tagger.get_tagger()
    assert tagger.get_tagger() is first
    PersonFactory(name="Fumio Kishida")
    assert tagger.get_tagger() is not first


def test_the_tagger_is_not_rebuilt_while_nothing_changed(newsroom, monkeypatch):
    first = tagger.get_tagger()
    clock = [tagger.time.monotonic() + 10 * tagger.CACHE_SECONDS]
    monkeypatch.setattr(tagger.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(tagger, "build_tagger", lambda: pytest.fail("rebuilt with nothing changed"))
    assert tagger.get_tagger() is first  # long after, but the same authority lists


def test_editors_decisions_are_taken_in_at_most_every_few_minutes(newsroom, monkeypatch):
    first = tagger.get_tagger()
    tag = ArticlePerson.objects.create(article=newsroom["article"], person=newsroom["kamikawa"],
                                       origin=TagOrigin.TAGGER)
    curation.reject(tag, user=UserFactory(group="Editor"))
    assert tagger.get_tagger() is first  # within the few minutes
    later = tagger.time.monotonic() + 2 * tagger.CACHE_SECONDS
    monkeypatch.setattr(tagger.time, "monotonic", lambda: later)
    second = tagger.get_tagger()
    assert second is not first
    assert tagger.get_tagger() is second


def test_the_standfirst_is_tagged_with_evidence_in_its_field(newsroom):
    PersonFactory(name="Hun Manet")
    article = DraftFactory(headline="Talks", standfirst="Prime Minister Hun Manet will host the talks.",
                           body="The talks open on Monday in the capital.",
                           published_at=timezone.make_aware(datetime.datetime(2024, 7, 2, 9)))
    tagger.tag_article(article)
    tag = ArticlePerson.objects.get(article=article, person__name="Hun Manet")
    assert tag.evidence == [{"start": 15, "end": 24, "text": "Hun Manet", "field": "standfirst"}]
    tag.full_clean()


def test_a_shared_surname_is_stored_with_its_candidates(newsroom):
    PersonFactory(name="Atsushi Ueno")
    PersonFactory(name="Hiroshi Ueno")
    article = DraftFactory(headline="Envoys meet", body="Atsushi Ueno met Hiroshi Ueno in Tokyo. Ueno said so.")
    tagger.tag_article(article)
    tag = ArticlePerson.objects.get(article=article, person__name="Hiroshi Ueno")
    assert tag.evidence[-1] == {"start": 40, "end": 44, "text": "Ueno", "field": "body",
                                "candidates": ["hiroshi-ueno", "atsushi-ueno"]}
    tag.full_clean()


def test_one_click_creates_a_person_from_a_candidate(newsroom):
    article = newsroom["article"]
    tagger.tag_article(article)
    candidate = PersonCandidate.objects.get(article=article)
    editor = UserFactory(group="Editor")
    tag = curation.create_person_from_candidate(candidate, user=editor)
    assert tag.person.name == "Ek Bunly" and tag.state == TagState.ACCEPTED
    assert "researcher" in tag.person.description
    tag.full_clean()
    assert PersonCandidate.objects.get(pk=candidate.pk).state == TagState.ACCEPTED
    tagger.reset_cache()
    tagger.tag_article(Article.objects.get(pk=article.pk))
    assert not PersonCandidate.objects.filter(article=article, state=TagState.SUGGESTED).exists()


def test_an_alias_confirmed_by_hand_is_learnt(newsroom):
    article = ArticleFactory(body="Samdech Techo Hun Sen spoke.")
    hun_sen = PersonFactory(name="Hun Sen Senior")
    editor = UserFactory(group="Editor")
    curation.add_tag(ArticlePerson, article=article, user=editor, person=hun_sen,
                     evidence=[{"start": 0, "end": 21, "text": "Samdech Techo Hun Sen"}])
    assert PersonAlias.objects.get(record=hun_sen).name == "Samdech Techo Hun Sen"
    assert PersonAlias.objects.get(record=hun_sen).confirmed_by_editor
