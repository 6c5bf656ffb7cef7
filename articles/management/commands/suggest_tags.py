import datetime
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from articles.tagger import get_tagger


class Command(BaseCommand):
    help = (
        "Print the tagger's suggestions for a text file (or - for standard input) as one JSON "
        "object: people, organisations, places, dates and topics, with spans into the text as read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a UTF-8 text file, or - for standard input")
        parser.add_argument("--published", help="publication date YYYY-MM-DD (default: today); "
                                                "relative dates are resolved against it")
        parser.add_argument("--headline", default="", help="the headline, if not in the file")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, file, published, headline, format, **options):
        try:
            published_on = (datetime.date.fromisoformat(published) if published
                            else datetime.date.today())
        except ValueError:
            raise CommandError(f"--published must be a date like 2024-07-02, not {published!r}.")
        try:
            if file == "-":
                text = sys.stdin.buffer.read().decode("utf-8")
            else:
                with open(file, "rb") as handle:
                    text = handle.read().decode("utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.")
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text (byte {error.start}).")
        result = get_tagger().suggest(text, published=published_on, headline=headline)
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        for kind in ("people", "organisations", "places"):
            for item in result[kind]:
                self.stdout.write(f"{kind[:-1] if kind != 'people' else 'person'}: {item['name']} "
                                  f"[{item['record'] or 'new'}] {item['relation']} "
                                  f"{item['confidence']:.2f} ×{len(item['mentions'])}")
        for item in result["dates"]:
            self.stdout.write(f"date: {item['text']!r} → {item['value']} "
                              f"({item['date_from']}..{item['date_to']}, {item['precision']}"
                              f"{', ' + item['mod'] if item['mod'] else ''})")
        for item in result["topics"]:
            self.stdout.write(f"topic: {item['topic']} {item['confidence']:.2f}")
