"""Precision, recall and F1 of suggestions against curated gold: pure."""

from dataclasses import dataclass, field

KINDS = ["people", "organisations", "places", "dates (value)", "dates (span overlap)", "topics"]


@dataclass
class Score:
    true_positives: int = 0
    predicted: int = 0
    gold: int = 0
    recalled: int = 0  # gold items matched (differs from true positives for span overlap)

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    scores: dict = field(default_factory=lambda: {kind: Score() for kind in KINDS})
    misses: list = field(default_factory=list)  # (article, kind, "missed"/"extra", item)

    def add_sets(self, article, kind, predicted: set, gold: set):
        score = self.scores[kind]
        hits = predicted & gold
        score.true_positives += len(hits)
        score.recalled += len(hits)
        score.predicted += len(predicted)
        score.gold += len(gold)
        self.misses += [(article, kind, "missed", item) for item in sorted(map(str, gold - predicted))]
        self.misses += [(article, kind, "extra", item) for item in sorted(map(str, predicted - gold))]

    def add_spans(self, article, kind, predicted: list, gold: list):
        """Spans are (start, end) or (field, start, end); a prediction is right
        if it overlaps a gold span of the same field."""
        def overlaps(a, b):
            return a[:-2] == b[:-2] and a[-2] < b[-1] and b[-2] < a[-1]

        score = self.scores[kind]
        score.predicted += len(predicted)
        score.gold += len(gold)
        score.true_positives += sum(any(overlaps(p, g) for g in gold) for p in predicted)
        score.recalled += sum(any(overlaps(g, p) for p in predicted) for g in gold)

    def table(self) -> str:
        lines = [f"{'kind':<22}{'precision':>10}{'recall':>10}{'F1':>8}{'gold':>7}{'found':>7}"]
        for kind, s in self.scores.items():
            lines.append(f"{kind:<22}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>8.3f}"
                         f"{s.gold:>7}{s.predicted:>7}")
        return "\n".join(lines)
