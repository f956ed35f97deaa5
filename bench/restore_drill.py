"""Restore drill: dump the PostgreSQL database, restore it into a fresh one, compare.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miprof \\
        .venv/bin/python bench/restore_drill.py [--target NAME] [--force] [--keep]
        [--dump-file PATH] [--tamper-test]

1. `pg_dump --format=custom` of the source database (the backup of README, "Déploiement");
2. a fresh database, `<source>_restore_drill` unless --target names one: refused when it
   exists, unless --force (then dropped first);
3. `pg_restore` of the dump into it;
4. the same fingerprint of both databases, each computed by this project's own code in a
   subprocess whose DATABASE_URL points at it:
   - every submission: its answers and origins (`Submission.to_data()`, the JSON export's
     format) and the rest of its row (version, dates, sections saved…);
   - every history table (django-simple-history): row count and a hash of its rows;
   - the published tables of every campaign (`reports.workbook.tables_json`);
   - every other table of the project: row count and a hash of its rows;
5. a summary with timings; the exit status is 1 on any difference.

The restored database is dropped at the end unless --keep. --tamper-test changes one
answer of a validated submission in the restored database before the comparison: the
drill must then fail, naming that submission and the tables it feeds.

It only reads the source database. pg_dump and pg_restore come from the PATH (the client
of the server's major version or newer).
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

import dj_database_url  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

# --- The fingerprint (run in a subprocess, against one database) --------------------------


def _digest(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint() -> dict:
    """What must survive a backup and restore, as JSON-ready data and hashes."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surveyproject.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection, transaction

    from reports.models import StoredFigures
    from reports.tables import all_tables
    from reports.workbook import tables_json
    from survey.models import Campaign, Submission

    submissions = {}
    queryset = (
        Submission.objects.select_related("campaign", "association")
        .prefetch_related("answers__origins")
        .order_by("campaign__year", "association__identifier")
    )
    for submission in queryset:
        row = {f.attname: getattr(submission, f.attname) for f in submission._meta.concrete_fields}
        key = f"{submission.campaign.year} {submission.association.identifier}"
        submissions[key] = _digest({"answers": submission.to_data(), "row": row})

    history, other = {}, {}
    # A model whose migration has not run yet has no table to compare.
    existing = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table not in existing or model is StoredFigures:
            # The stored figures are derived: compared through the tables below.
            continue
        fields = [field.attname for field in model._meta.concrete_fields]
        rows = list(model._base_manager.order_by("pk").values_list(*fields))
        entry = {"rows": len(rows), "hash": _digest(rows)}
        name = model._meta.db_table
        (history if model.__name__.startswith("Historical") else other)[name] = entry

    # Computed from the answers, not read from the stored figures (which an answer
    # changed in SQL, as --tamper-test does, leaves as they were), and not kept: the
    # source database is only read.
    with transaction.atomic():
        StoredFigures.objects.all().delete()
        tables = {
            str(campaign.year): _digest(tables_json(all_tables(campaign)))
            for campaign in Campaign.objects.order_by("year")
        }
        transaction.set_rollback(True)
    return {"submissions": submissions, "history": history, "tables": tables, "other": other}


# --- The drill ----------------------------------------------------------------------------


class Drill:
    def __init__(self, url: str) -> None:
        self.url = url
        self.config = dj_database_url.parse(url)
        if "postgresql" not in self.config["ENGINE"]:
            sys.exit(f"restore_drill: {url!r} is not a PostgreSQL database.")
        self.timings: list[tuple[str, float]] = []

    def libpq_env(self) -> dict[str, str]:
        """pg_dump's and pg_restore's connection, the password kept out of the process list."""
        env = dict(os.environ)
        for key, variable in (
            ("HOST", "PGHOST"),
            ("PORT", "PGPORT"),
            ("USER", "PGUSER"),
            ("PASSWORD", "PGPASSWORD"),
        ):
            if self.config.get(key):
                env[variable] = str(self.config[key])
        return env

    def url_of(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    def step(self, label: str):
        drill = self

        class _Step:
            def __enter__(self):
                self.start = time.perf_counter()
                print(f"… {label}", flush=True)

            def __exit__(self, *exc):
                drill.timings.append((label, time.perf_counter() - self.start))

        return _Step()

    def maintenance(self) -> psycopg.Connection:
        return psycopg.connect(
            dbname="postgres",
            host=self.config.get("HOST") or None,
            port=self.config.get("PORT") or None,
            user=self.config.get("USER") or None,
            password=self.config.get("PASSWORD") or None,
            autocommit=True,
        )

    def exists(self, name: str) -> bool:
        with self.maintenance() as connection:
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return found.fetchone() is not None

    def drop(self, name: str) -> None:
        with self.maintenance() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    def create(self, name: str) -> None:
        with self.maintenance() as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(name)
                )
            )

    def run(self, command: list[str]) -> None:
        subprocess.run(command, env=self.libpq_env(), check=True)

    def fingerprint_of(self, name: str) -> dict:
        env = dict(os.environ, DATABASE_URL=self.url_of(name))
        # The fingerprint signs nothing: any key will do when none is set.
        env.setdefault("SECRET_KEY", "restore-drill-not-a-secret")
        env["LOG_LEVEL"] = "WARNING"
        result = subprocess.run(
            [sys.executable, __file__, "--fingerprint"],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(f"restore_drill: the fingerprint of {name} failed:\n{result.stderr}")
        return json.loads(result.stdout)

    def tamper(self, name: str) -> str:
        """Adds one victim to the first answer of a validated submission; says which."""
        with psycopg.connect(self.url_of(name), autocommit=True) as connection:
            row = connection.execute(
                """
                UPDATE survey_formanswer SET detected = detected + 1
                WHERE id = (
                    SELECT answer.id FROM survey_formanswer answer
                    JOIN survey_submission submission ON submission.id = answer.submission_id
                    WHERE submission.status = 'validated' AND answer.detected IS NOT NULL
                    ORDER BY answer.id LIMIT 1
                )
                RETURNING id, form, submission_id
                """
            ).fetchone()
        if row is None:
            sys.exit("restore_drill: --tamper-test needs a validated submission with answers.")
        return f"survey_formanswer {row[0]} (form {row[1]}, submission {row[2]}): detected + 1"


def compare(source: dict, restored: dict) -> list[str]:
    differences = []
    for part in ("submissions", "history", "tables", "other"):
        before, after = source[part], restored[part]
        for key in sorted(before.keys() | after.keys()):
            if key not in after:
                differences.append(f"{part}: {key} missing from the restored database")
            elif key not in before:
                differences.append(f"{part}: {key} only in the restored database")
            elif before[key] != after[key]:
                detail = ""
                if isinstance(before[key], dict) and before[key]["rows"] != after[key]["rows"]:
                    detail = f" ({before[key]['rows']} rows, restored {after[key]['rows']})"
                differences.append(f"{part}: {key} differs{detail}")
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=os.environ.get("DATABASE_URL"), help="DATABASE_URL")
    parser.add_argument("--target", help="restored database (default: <source>_restore_drill)")
    parser.add_argument("--force", action="store_true", help="drop the target if it exists")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    parser.add_argument("--dump-file", type=Path, help="keep the dump there")
    parser.add_argument("--tamper-test", action="store_true", help="the drill must then fail")
    parser.add_argument("--fingerprint", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.fingerprint:
        json.dump(fingerprint(), sys.stdout)
        return 0
    if not args.source:
        parser.error("no source database: set DATABASE_URL or pass --source")

    drill = Drill(args.source)
    source = drill.config["NAME"]
    target = args.target or f"{source}_restore_drill"
    if target == source:
        parser.error("the target must differ from the source")
    if drill.exists(target):
        if not args.force:
            print(f"restore_drill: database {target} exists; --force drops it first.")
            return 2
        drill.drop(target)

    with tempfile.TemporaryDirectory() as scratch:
        dump = args.dump_file or Path(scratch) / f"{source}.dump"
        with drill.step(f"pg_dump of {source}"):
            drill.run(["pg_dump", "--format=custom", "--file", str(dump), source])
        size = dump.stat().st_size
        try:
            with drill.step(f"create {target} and pg_restore into it"):
                drill.create(target)
                drill.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", target, str(dump)])
            tampered = drill.tamper(target) if args.tamper_test else None
            with drill.step(f"fingerprint of {source}"):
                before = drill.fingerprint_of(source)
            with drill.step(f"fingerprint of {target}"):
                after = drill.fingerprint_of(target)
            differences = compare(before, after)
        finally:
            if not args.keep:
                drill.drop(target)

    print()
    print(f"Dump: {size / 1024:.0f} KiB (custom format)")
    for label, seconds in drill.timings:
        print(f"  {label:<60} {seconds:6.2f} s")
    history_rows = sum(entry["rows"] for entry in before["history"].values())
    other_rows = sum(entry["rows"] for entry in before["other"].values())
    print(
        f"Compared: {len(before['submissions'])} submissions (answers, origins, row), "
        f"{len(before['history'])} history tables ({history_rows} rows), "
        f"tables of {len(before['tables'])} campaign(s), "
        f"{len(before['other'])} other tables ({other_rows} rows)"
    )
    if tampered:
        print(f"Tampered with: {tampered}")
    print(f"Restored database {target}: {'kept' if args.keep else 'dropped'}")
    if differences:
        print(f"\nFAILED: {len(differences)} difference(s)")
        for difference in differences:
            print(f"  - {difference}")
        return 1
    print("\nOK: the restored database is identical to the source.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
