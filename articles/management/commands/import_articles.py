from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.importer import import_file
from articles.tagger import get_tagger


class Command(BaseCommand):
    help = (
        "Import raw articles as drafts with tag suggestions: text files like the seeds, or "
        ".json/.jsonl with explicit fields (headline, body, standfirst, source, bylines, "
        "published, original_url, dateline, captions). Each article is atomic: a bad file gets "
        "a one-line reason and the others still import."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, or folders whose .txt/.json/.jsonl files to import")
        parser.add_argument("--dry-run", action="store_true", help="show what would happen, store nothing")

    def handle(self, *args, paths, dry_run, **options):
        files = []
        for name in paths:
            path = Path(name)
            if path.is_dir():
                files += sorted(p for p in path.iterdir()
                                if p.is_file() and p.suffix.lower() in {".txt", ".json", ".jsonl"})
            elif path.exists():
                files.append(path)
            else:
                raise CommandError(f"No such file or folder: {name}")
        if not files:
            raise CommandError("Nothing to import.")
        tagger = get_tagger()  # once, not per article
        counts = {}
        seen = {}  # normalized bodies of this run: duplicates inside the batch
        with tqdm(files, unit="file", file=self.stderr, disable=None) as progress:
            for path in progress:
                for outcome in import_file(path, tagger=tagger, dry_run=dry_run, seen=seen):
                    counts[outcome.status] = counts.get(outcome.status, 0) + 1
                    style = self.style.SUCCESS if outcome.article else self.style.WARNING
                    progress.write(style(f"{outcome.label}: {outcome.status}: {outcome.message}"),
                                   file=self.stdout, end="")
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(f"Summary: {len(files)} file(s): {summary}." +
                          (" Dry run: nothing was stored." if dry_run else ""))
