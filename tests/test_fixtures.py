"""The seed fixture: five curated articles, the demo data and the tagging gold."""

import re

import pytest
from django.core.management import call_command

from articles.models import (
    Article,
    DateMention,
    Organisation,
    Person,
    PersonAlias,
    Place,
    TagState,
    Topic,
    name_key,
    tag_models,
)
from articles.tagging.cleaning import content_hash

pytestmark = pytest.mark.django_db
DEBRIS = ["Leave a Reply", "Connecting to %s", "scroll to top", "You are commenting using",
          "Log Out /", "Fill in your details"]


def test_the_seed_holds_five_live_articles_from_two_sources(seed):
    assert Article.objects.count() == 5
    assert Article.objects.live().count() == 5
    assert sorted(set(Article.objects.values_list("source__name", flat=True))) == [
        "The Khmer Times", "The Phnom Penh Post"]
    assert sorted(a.published_at.date().isoformat() for a in Article.objects.all()) == [
        "2017-08-14", "2022-09-29", "2023-02-28", "2023-12-19", "2024-07-02"]


def test_bodies_are_clean(seed):
    for article in Article.objects.all():
        assert article.headline.strip() and article.standfirst.strip()
        for debris in DEBRIS:
            assert debris not in article.body, (article.slug, debris)
        assert "Ry Sochan\n\nRy Sochan" not in article.body
        assert not re.search(r"\n{3,}", article.body) and article.body == article.body.strip()
        assert article.content_hash == content_hash(article.headline, article.body)
    kishida = Article.objects.get(published_at__date="2022-09-29")
    assert kishida.body.startswith("PHNOM PENH – Japanese Prime Minister Fumio Kishida")
    assert "shakes hands" in kishida.captions and "shakes hands" not in kishida.body
    assert kishida.dateline.name == "Phnom Penh"
    assert [b.person.name for b in kishida.byline_set.all()] == ["Ry Sochan"]


def test_inferred_metadata_is_noted(seed):
    for article in Article.objects.exclude(source__name="The Khmer Times").exclude(
            published_at__date="2022-09-29"):
        assert "inferred" in article.metadata_notes.lower(), article.slug


def test_every_tag_is_accepted_and_its_evidence_points_at_the_text(seed):
    total = 0
    for model in tag_models():
        for tag in model.objects.select_related("article"):
            total += 1
            assert tag.state == TagState.ACCEPTED
            assert tag.evidence, tag
            tag.full_clean()  # checks every span's text against the article
            for span in tag.evidence:
                text = tag.article.text_of(span.get("field", "body"))
                assert text[span["start"]:span["end"]] == span["text"]
    assert total > 100


def test_every_article_has_people_topics_and_dates(seed):
    for article in Article.objects.all():
        assert article.person_tags.accepted().exists(), article.slug
        assert article.topic_tags.accepted().count() >= 2, article.slug
        assert article.date_mentions.accepted().exists(), article.slug


@pytest.mark.parametrize("published,people", [
    ("2024-07-02", {"Yoko Kamikawa", "Sok Chenda Sophea", "Hun Sen", "Hun Manet", "Ek Bunly",
                    "Thong Mengdavid"}),
    ("2022-09-29", {"Fumio Kishida", "Hun Sen", "Shinzo Abe", "Thong Mengdavid"}),
    # Naruhito is not named but referred to: "the Japanese Emperor's Birthday".
    ("2023-02-28", {"Prak Sokhonn", "Atsushi Ueno", "Hun Sen", "Fumio Kishida", "Hun Manet",
                    "Koji Yamazaki", "Naruhito"}),
    ("2017-08-14", {"Hun Sen", "Shinzo Abe", "Nobusuke Kishi"}),
    ("2023-12-19", {"Sok Chenda Sophea", "Yoko Kamikawa", "Yang Peou"}),
])
def test_every_person_named_is_tagged(seed, published, people):
    article = Article.objects.get(published_at__date=published)
    assert set(article.person_tags.values_list("person__name", flat=True)) == people


@pytest.mark.parametrize("published,text,value,date_from,date_to,precision", [
    ("2024-07-02", "July 5-6", "2024-07-05", "2024-07-05", "2024-07-06", "day"),
    ("2024-07-02", "last year", "2023", "2023-01-01", "2023-12-31", "year"),
    ("2024-07-02", "the 1990s", "199", "1990-01-01", "1999-12-31", "decade"),
    ("2017-08-14", "August 7-9", "2017-08-07", "2017-08-07", "2017-08-09", "day"),
    ("2022-09-29", "November", "2022-11", "2022-11-01", "2022-11-30", "month"),
    ("2023-12-19", "the coming year", "2024", "2024-01-01", "2024-12-31", "year"),
    ("2023-12-19", "2024-28", "2024", "2024-01-01", "2028-12-31", "year"),
    ("2017-08-14", "two days after his visit", "2017-08-11", "2017-08-11", "2017-08-11", "day"),
    # A range of whole units: the first unit's value, the range in date_from/date_to.
    ("2023-02-28", "the first two months of the year", "2023-01", "2023-01-01", "2023-02-28", "month"),
])
def test_dates_are_normalized_against_the_publication_date(seed, published, text, value,
                                                           date_from, date_to, precision):
    mention = DateMention.objects.get(article__published_at__date=published, text=text)
    assert (mention.value, str(mention.date_from), str(mention.date_to), mention.precision) == (
        value, date_from, date_to, precision)


def test_early_2024_carries_a_start_modifier(seed):
    assert DateMention.objects.get(text="early 2024").mod == "START"
    assert DateMention.objects.get(text="the first two months of the year").mod == ""  # whole months


# The shape of a TIMEX3 value at each precision the seed uses.
VALUE_SHAPES = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}", "decade": r"\d{3}"}


def test_every_date_value_agrees_with_its_precision_and_range(seed):
    mentions = list(DateMention.objects.all())
    assert {m.precision for m in mentions} <= set(VALUE_SHAPES)
    for mention in mentions:
        assert re.fullmatch(VALUE_SHAPES[mention.precision], mention.value), (mention.text, mention.value)
        # The value names the period the range starts in.
        assert mention.date_from.isoformat().replace("-", "").startswith(mention.value.replace("-", "")), (
            mention.text, mention.value, mention.date_from)
        assert mention.date_from <= mention.date_to


def test_in_coming_years_is_not_a_date(seed):
    article = Article.objects.get(published_at__date="2017-08-14")
    assert "in coming years" in article.body
    assert not DateMention.objects.filter(article=article, text__icontains="coming years").exists()


def test_authority_lists(seed):
    hun_sen = Person.objects.get(slug="hun-sen")
    assert "Samdech Techo Hun Sen" in hun_sen.all_names
    titles = {(r.title, r.end_date is None) for r in hun_sen.roles.all()}
    assert any("Prime Minister" in t and not open_ for t, open_ in titles)
    assert any("Senate" in t for t, _ in titles)
    assert PersonAlias.objects.get(name="Kamikawa Yoko").record.name == "Yoko Kamikawa"
    assert Organisation.objects.filter(aliases__name="JMSDF").exists()
    assert Place.objects.get(slug="phnom-penh").parent.name == "Cambodia"
    for model in (Person, Organisation, Place):
        for record in model.objects.prefetch_related("aliases"):
            assert record.key == name_key(record.name)
            assert all(a.key == name_key(a.name) for a in record.aliases.all())


def test_topic_tree_paths_are_consistent(seed):
    for topic in Topic.objects.select_related("parent"):
        expected = (topic.parent.path if topic.parent else "/") + f"{topic.pk}/"
        assert topic.path == expected, topic
        assert topic.keyword_list, topic
    assert Topic.objects.filter(parent__isnull=True).count() >= 4


def test_the_fixture_loads_twice_without_duplicates(seed):
    call_command("loaddata", "seed", verbosity=0)
    assert Article.objects.count() == 5
