"""The site answers while a long import writes (SQLite in WAL mode: readers
are never blocked by the writer, and nobody sees "database is locked")."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 600
READER = """
import os, sys, time
from pathlib import Path
from django.test import Client
flag = Path(os.environ["IMPORT_FINISHED_FLAG"])
Path(os.environ["READER_READY_FLAG"]).touch()
client, answered, failures = Client(), 0, []
deadline = time.monotonic() + 300
while not flag.exists() and time.monotonic() < deadline:
    for url in ["/", "/api/v1/articles/", "/search/?q=Cambodia", "/timeline/"]:
        try:
            status = client.get(url).status_code
        except Exception as error:
            failures.append(f"{url}: {error}")
            continue
        answered += 1
        if status != 200:
            failures.append(f"{url}: {status}")
print(f"answered {answered}")
for failure in failures[:10]:
    print("FAILURE", failure)
sys.exit(1 if failures else 0)
"""


def manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=600, **kwargs)


def test_pages_answer_while_an_import_writes(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'load.sqlite3'}", CACHE_URL="dummy://",
               API_ANON_RATE="", DEBUG="0", STATIC_MANIFEST="0")
    for args in (["migrate", "--no-input", "-v0"], ["loaddata", "seed", "-v0"]):
        done = manage(env, *args)
        assert done.returncode == 0, done.stderr
    batch = tmp_path / "batch.jsonl"
    with batch.open("w", encoding="utf-8") as handle:
        for n in range(ARTICLES):
            body = " ".join(f"Paragraph {n}-{p}: Hun Sen and Yoko Kamikawa met in Phnom Penh on "
                            f"July 5-6 to discuss peacekeeping and trade." for p in range(12))
            handle.write(json.dumps({"headline": f"Import {n}", "body": body,
                                     "published": "2024-07-02"}) + "\n")
    flag = tmp_path / "import-finished"
    ready = tmp_path / "reader-ready"
    env.update(IMPORT_FINISHED_FLAG=str(flag), READER_READY_FLAG=str(ready), ALLOWED_HOSTS="testserver")
    reader = subprocess.Popen([sys.executable, "manage.py", "shell", "-c", READER],
                              cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    # The reader is up (Django loaded) before the long write starts.
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    importer = subprocess.Popen([sys.executable, "manage.py", "import_articles", str(batch)],
                                cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    imported_out, imported_err = importer.communicate(timeout=600)
    flag.touch()
    read_out, read_err = reader.communicate(timeout=600)
    assert importer.returncode == 0, imported_err[-2000:]
    assert f"{ARTICLES} imported" in imported_out, imported_out[-2000:]
    assert "locked" not in imported_err + read_err
    assert reader.returncode == 0, read_out + read_err[-2000:]
    answered = int(read_out.split("answered ")[1].split()[0])
    assert answered >= 20, read_out
