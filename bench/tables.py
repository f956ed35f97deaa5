"""Benchmark of the published tables and of the raw export, on synthetic campaigns.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miprof_bench DEBUG=1 \
        .venv/bin/python bench/tables.py [N ...] [--explain] [--keep]

For each N (default 70, 1 000 and 10 000) the campaign 2099 holds N associations, each
with a VALIDATED submission, six forms and ten countries of origin per form; campaign 2098
holds their validated answers of the year before (forms only), so that F1's evolution is
computed too. Associations are added to reach each N in turn (bulk_create in batches);
then it prints:

- `all_tables`: the best of three runs (after one to warm up, which computes and stores
  the figures), and its queries: what every tables page and download does;
- `compute`: one campaign's figures added up from its answers (`CampaignFigures.compute`),
  and its queries: what the first `all_tables` after a change the stored figures did not
  follow does, once;
- `reopen+validate`: a validated submission reopened then validated again, the stored
  figures following (`figures_follow`), two transactions; then the stored figures are
  compared with a fresh computation;
- `tables_workbook`: the time to write the tables' workbook;
- the raw export (`write_xlsx(AnswersExporter(campaign), file)`, 6 N rows): its time, and
  its peak Python memory in a second run under tracemalloc (slower: not timed); then the
  time of the same rows as CSV (`write_csv`), for comparison.

Goals: all tables for 10 000 associations < 0.5 s on PostgreSQL, in as many queries as
for 70; workbook < 2 s; raw export of 60 000 rows < 10 s, memory not growing with N.

It writes to the database: it refuses a database whose name lacks "bench" (and the
project's db.sqlite3). Only its own rows are touched (campaigns 2098 and 2099,
associations W99…), deleted at the start and, unless --keep, at the end.
`--explain` prints PostgreSQL's plans of `compute`'s queries for the largest N.
"""

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surveyproject.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reports.exports import AnswersExporter, write_csv, write_xlsx  # noqa: E402
from reports.figures import CampaignFigures, figures_follow  # noqa: E402
from reports.models import StoredFigures  # noqa: E402
from reports.tables import all_tables  # noqa: E402
from survey.geography import COUNTRY_REGION  # noqa: E402
from survey.models import (  # noqa: E402
    Association,
    Campaign,
    FormAnswer,
    FrenchRegion,
    OriginCount,
    Submission,
)
from survey.questionnaire import FORMS, GROUPS, PART2_FIELDS  # noqa: E402

YEAR = 2099  # throw-away editions, far from any real one
PREVIOUS_YEAR = 2098
PREFIX = "W99"  # + 7 digits: a valid RNA number no real association has
BATCH = 500  # associations per round of bulk_create (3 000 answers, 30 000 origins)
COUNTRIES = sorted(COUNTRY_REGION)
REGIONS = FrenchRegion.values
VALIDATED = Submission.Status.VALIDATED


def refuse_unless_bench_database() -> None:
    name = str(settings.DATABASES["default"]["NAME"])
    if Path(name).name == "db.sqlite3" or "bench" not in name:
        sys.exit(
            f"Refusing to write to the database {name!r}: its name must contain 'bench' "
            "(DATABASE_URL=postgres://…/miprof_bench)."
        )


def clean() -> None:
    """Delete the bench's rows, children first, in plain SQL (no history, no signals)."""
    campaigns = f"SELECT id FROM {Campaign._meta.db_table} WHERE year IN (%s, %s)"
    submissions = f"SELECT id FROM {Submission._meta.db_table} WHERE campaign_id IN ({campaigns})"
    answers = f"SELECT id FROM {FormAnswer._meta.db_table} WHERE submission_id IN ({submissions})"
    years = [PREVIOUS_YEAR, YEAR]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {OriginCount._meta.db_table} WHERE answer_id IN ({answers})", years
        )
        cursor.execute(
            f"DELETE FROM {FormAnswer._meta.db_table} WHERE submission_id IN ({submissions})",
            years,
        )
        cursor.execute(
            f"DELETE FROM {Submission._meta.db_table} WHERE campaign_id IN ({campaigns})", years
        )
        cursor.execute(
            f"DELETE FROM {StoredFigures._meta.db_table} WHERE campaign_id IN ({campaigns})",
            years,
        )
        cursor.execute(f"DELETE FROM {Campaign._meta.db_table} WHERE year IN (%s, %s)", years)
        cursor.execute(
            f"DELETE FROM {Association._meta.db_table} WHERE identifier LIKE %s", [PREFIX + "%"]
        )


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` cut at random into `parts` whole numbers >= 0."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def synthetic_answer(rng: random.Random, submission: Submission, form: str) -> FormAnswer:
    """Answers whose breakdowns add up; a Part 2 field is blank two times in five."""
    detected = rng.randint(12, 80)
    accompanied = rng.randint(11, detected)
    values = {"detected": detected, "accompanied": accompanied}
    for group in ("place", "gender", "age"):
        fields = GROUPS[group].fields
        values.update(zip(fields, split(rng, accompanied, len(fields)), strict=True))
    values["origin_unknown"] = rng.randint(0, 1)
    for field in PART2_FIELDS:
        values[field] = None if rng.random() < 0.4 else rng.randint(0, accompanied // 2)
    return FormAnswer(
        submission=submission,
        form=form,
        other_label="Mariage forcé" if form == "other" else "",
        **values,
    )


def synthetic_origins(rng: random.Random, answer: FormAnswer) -> list[OriginCount]:
    """Ten countries, at least one victim each, adding up with the unknown ones."""
    counts = [1 + n for n in split(rng, answer.accompanied - answer.origin_unknown - 10, 10)]
    return [
        OriginCount(answer=answer, country=country, count=count)
        for country, count in zip(rng.sample(COUNTRIES, 10), counts, strict=True)
    ]


def grow(campaign: Campaign, previous: Campaign, start: int, stop: int) -> None:
    """Add associations number start … stop − 1, with their answers to both campaigns."""
    for first in range(start, stop, BATCH):
        numbers = range(first, min(first + BATCH, stop))
        associations = Association.objects.bulk_create(
            Association(
                name=f"Association banc d'essai {number:07d}",
                identifier=f"{PREFIX}{number:07d}",
                departement="75",
                region=REGIONS[number % len(REGIONS)],
            )
            for number in numbers
        )
        answers: list[FormAnswer] = []
        for year_campaign in (previous, campaign):
            submissions = Submission.objects.bulk_create(
                Submission(association=association, campaign=year_campaign, status=VALIDATED)
                for association in associations
            )
            for submission in submissions:
                rng = random.Random(f"{submission.association.identifier}-{year_campaign.year}")
                answers += [synthetic_answer(rng, submission, form) for form in FORMS]
        answers = FormAnswer.objects.bulk_create(answers, batch_size=2000)
        origins = [
            origin
            for answer in answers
            if answer.submission.campaign_id == campaign.pk
            for origin in synthetic_origins(random.Random(answer.pk), answer)
        ]
        OriginCount.objects.bulk_create(origins, batch_size=5000)


def seconds(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def time_all_tables(campaign: Campaign) -> tuple[float, int]:
    """All tables from the stored figures: what every page and download does."""
    all_tables(campaign)  # warm up: connection, caches; the figures computed and stored
    with CaptureQueriesContext(connection) as queries:
        all_tables(campaign)
    best = min(seconds(all_tables, campaign) for _ in range(3))
    return best, len(queries)


def time_compute(campaign: Campaign) -> tuple[float, int]:
    """One campaign's figures added up from its answers: what the first `all_tables`
    after a change the stored figures did not follow (an import, say) does, once."""
    with CaptureQueriesContext(connection) as queries:
        CampaignFigures.compute(campaign)
    best = min(seconds(CampaignFigures.compute, campaign) for _ in range(3))
    return best, len(queries)


def time_review(campaign: Campaign) -> tuple[float, int]:
    """A validated submission reopened then validated again, the stored figures following
    (reports.figures.figures_follow), in two transactions: the best of three."""
    submission = Submission.objects.filter(campaign=campaign, status=VALIDATED).first()

    def change(status: str) -> None:
        with transaction.atomic():
            locked = Submission.objects.select_for_update().get(pk=submission.pk)
            with figures_follow(locked):
                locked.status = status
                locked.version += 1
                locked.save()

    def review() -> None:
        change(Submission.Status.SUBMITTED)
        change(VALIDATED)

    all_tables(campaign)  # figures stored, so that they are followed
    with CaptureQueriesContext(connection) as queries:
        review()
    best = min(seconds(review) for _ in range(3))
    stored = StoredFigures.objects.get(campaign=campaign).figures
    assert stored == CampaignFigures.compute(campaign).as_json(), "stored figures drifted"
    return best, len(queries)


def time_workbook(campaign: Campaign) -> str:
    try:
        from reports.workbook import tables_workbook
    except ImportError:
        return "n/a"
    return f"{seconds(tables_workbook, campaign):.2f} s"


def raw_export(campaign: Campaign) -> tuple[float, int, int, float]:
    """Seconds, peak traced bytes, file size of the answers' XLSX; seconds of the CSV."""
    with tempfile.TemporaryFile() as file:
        elapsed = seconds(write_xlsx, AnswersExporter(campaign), file)
        size = file.tell()
    with tempfile.TemporaryFile() as file:
        csv_elapsed = seconds(write_csv, AnswersExporter(campaign), file)
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as file:
            write_xlsx(AnswersExporter(campaign), file)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return elapsed, peak, size, csv_elapsed


def explain(campaign: Campaign) -> None:
    """PostgreSQL's plan of every query computing the figures, with actual times."""
    with CaptureQueriesContext(connection) as queries:
        CampaignFigures.compute(campaign)
    with connection.cursor() as cursor:
        for query in queries:
            print("\n--", query["sql"][:120], "…")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[70, 1_000, 10_000])
    parser.add_argument("--explain", action="store_true", help="plans of the tables' queries")
    parser.add_argument("--keep", action="store_true", help="leave the synthetic data")
    options = parser.parse_args()

    refuse_unless_bench_database()
    call_command("migrate", verbosity=0)
    clean()
    previous = Campaign.objects.create(year=PREVIOUS_YEAR, reference_year=PREVIOUS_YEAR - 1)
    campaign = Campaign.objects.create(year=YEAR, reference_year=YEAR - 1)
    print(f"Database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    print(
        f"{'N':>7} | {'build':>7} | {'all_tables':>10} | {'queries':>7} | "
        f"{'compute':>8} | {'queries':>7} | {'reopen+validate':>15} | {'queries':>7} | "
        f"{'workbook':>8} | {'raw export (6 N rows)':>21} | {'peak memory':>11} | "
        f"{'file':>8} | {'same, CSV':>9}"
    )
    size = 0
    try:
        for target in sorted(options.sizes):
            built = seconds(grow, campaign, previous, size, target)
            size = target
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give
            tables_time, queries = time_all_tables(campaign)
            compute_time, compute_queries = time_compute(campaign)
            review_time, review_queries = time_review(campaign)
            workbook = time_workbook(campaign)
            export_time, peak, file_size, csv_time = raw_export(campaign)
            print(
                f"{target:>7} | {built:>5.1f} s | {tables_time:>8.3f} s | {queries:>7} | "
                f"{compute_time:>6.3f} s | {compute_queries:>7} | {review_time:>13.3f} s | "
                f"{review_queries:>7} | {workbook:>8} | {export_time:>19.2f} s | "
                f"{peak / 2**20:>8.1f} MB | {file_size / 2**20:>5.1f} MB | {csv_time:>7.2f} s",
                flush=True,
            )
        if options.explain and connection.vendor == "postgresql":
            explain(campaign)
    finally:
        if not options.keep:
            clean()


if __name__ == "__main__":
    main()
