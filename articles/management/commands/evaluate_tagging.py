from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Article, TagState
from articles.tagger import build_tagger, publication_date
from articles.tagging.evaluation import Evaluation


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Run the tagger on the curated fixture articles and compare with their accepted tags: "
        "precision, recall and F1 per kind. Each article is tagged by a tagger that has not "
        "learnt from that article's own tags (leave-one-out)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixture", default="seed",
                            help="fixture with the gold articles, loaded in a transaction that is "
                                 "rolled back (default: seed); '' evaluates the database as it is")
        parser.add_argument("--show-misses", action="store_true", help="list what was missed or extra")

    def handle(self, *args, fixture, show_misses, **options):
        self.evaluation = None
        try:
            with transaction.atomic():
                if fixture:
                    call_command("loaddata", fixture, verbosity=0)
                self.evaluate()
                raise Rollback
        except Rollback:
            pass
        evaluation = self.evaluation
        self.stdout.write(evaluation.table())
        if show_misses:
            for article, kind, what, item in evaluation.misses:
                self.stdout.write(f"{article}: {kind}: {what} {item}")
        return None

    def evaluate(self):
        articles = list(Article.objects.filter(person_tags__state=TagState.ACCEPTED).distinct()
                        .order_by("published_at", "pk"))
        if not articles:
            raise CommandError("No article with accepted tags to evaluate against.")
        evaluation = Evaluation()
        for n, article in enumerate(articles, 1):
            self.stderr.write(f"[{n}/{len(articles)}] {article.headline[:70]}")
            tagger = build_tagger(exclude_articles=[article.pk])
            result = tagger.suggest(article.body, published=publication_date(article),
                                    headline=article.headline, standfirst=article.standfirst)
            label = article.slug[:40]
            for kind, related, field in [("people", "person_tags", "person"),
                                         ("organisations", "organisation_tags", "organisation"),
                                         ("places", "place_tags", "place")]:
                gold = set(getattr(article, related).accepted()
                           .values_list(f"{field}__slug", flat=True))
                predicted = {item["record"] for item in result[kind] if item["record"]}
                evaluation.add_sets(label, kind, predicted, gold)
            gold_dates = article.date_mentions.accepted()
            evaluation.add_sets(label, "dates (value)",
                                {(d["value"], d["mod"] or "") for d in result["dates"]},
                                {(d.value, d.mod) for d in gold_dates})
            evaluation.add_spans(label, "dates (span overlap)",
                                 [(d.get("field", "body"), *d["span"]) for d in result["dates"]],
                                 [(s.get("field", "body"), s["start"], s["end"])
                                  for d in gold_dates for s in d.evidence])
            evaluation.add_sets(label, "topics", {t["topic"] for t in result["topics"]},
                                set(article.topic_tags.accepted().values_list("topic__slug", flat=True)))
        self.evaluation = evaluation
