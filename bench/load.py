"""Load test: the last days before the deadline, against gunicorn and PostgreSQL.

    createdb -h 127.0.0.1 -U postgres miprof_load
    .venv/bin/pip install -r bench/requirements.txt      # locust, for this script only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miprof_load \
        .venv/bin/python bench/load.py [--members 300] [--staff 5] [--think 10] [--run-time 20m]

What it does, on 127.0.0.1 only:

1. prepares the database (migrate; an open campaign; N associations, each with one member;
   S staff of the Miprof group with a TOTP device whose secret the script keeps), after
   deleting what an earlier run left (its campaign 2097, associations W97…, accounts
   @load.example);
2. computes, for each association, answers that meet every rule (`survey.checks` is run
   on them: no error, no warning) and the payload of each page of the questionnaire;
3. starts gunicorn (gunicorn.conf.py) with production settings (DEBUG off, but http:
   no https redirect, cookies without Secure) and waits for /sante/;
4. runs locust headless (bench/locustfile.py): every member logs in, opens and saves
   each of the 19 pages in turn (GET, then POST some 10 seconds later, as a person would),
   opens the review page and submits; the staff log in with their code, then open the
   campaign's cockpit, the tables' page and download the tables' workbook and the raw
   export, again and again until every member is done (or the run time is up);
5. stops gunicorn and checks the database: each association's submission is submitted,
   and its answers are exactly those its member sent (no answer lost, none mixed up);
6. prints the figures: requests, failures, median/p95/p99/max by kind of request, and the
   check; exit status 1 on any failure, lost or mixed-up answer, or missed goal
   (p95 of section saves under 300 ms).

It refuses a database whose name lacks "load" or "bench".
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surveyproject.settings")
# This process only prepares and checks the database; the served app gets its own env.
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from survey.checks import check_submission  # noqa: E402
from survey.demo import consistent_form  # noqa: E402
from survey.forms import grid_initial  # noqa: E402
from survey.geography import country_name  # noqa: E402
from survey.models import Association, Campaign, FormAnswer, Membership, Submission  # noqa: E402
from survey.questionnaire import FORMS, SECTIONS  # noqa: E402
from survey.roles import staff_group  # noqa: E402

YEAR = 2097
IDENTIFIER = "W97{:07d}"
DOMAIN = "load.example"
PASSWORD = "charge-miprof-2097"
SAVE_P95_GOAL_MS = 300
COUNTRIES = ("NG", "RO", "CN", "BR", "FR", "ML", "CI", "MA", "VN", "AL")


def refuse_unless_load_database() -> None:
    database = settings.DATABASES["default"]
    name = str(database["NAME"])
    if "postgresql" not in database["ENGINE"] or not ("load" in name or "bench" in name):
        sys.exit(
            f"Refused: {database['ENGINE']} {name}. Set DATABASE_URL to a PostgreSQL database "
            "whose name contains 'load' or 'bench' (createdb -h 127.0.0.1 -U postgres "
            "miprof_load)."
        )


def answers_of(index: int) -> dict:
    """Answers meeting every rule, different for each association (so that a mix-up shows)."""
    sexual = 8 + index % 11
    labour = 2 + index % 5
    first, second = COUNTRIES[index % 10], COUNTRIES[(index + 3) % 10]
    forms = {
        "sexual": consistent_form(
            sexual + 3,
            sexual,
            place=(3, 1, 0),
            gender=(6, 1, 1, 0, 0, 0),
            age=(0, 1, 3, 5, 0),
            origin={first: 3, second: 2},
            profile={"pregnancy": index % 2, "dependent_children": 1},
        ),
        "labour": consistent_form(
            labour + index % 3,
            labour,
            place=(1, 0, 0),
            gender=(1, 0, 2, 0, 0, 0),
            age=(0, 0, 1, 1, 0),
            origin={second: 1},
        ),
    }
    return {
        "forms": forms,
        "suspects_identified": index % 4,
        "association_civil_party_cases": None,
        "comment": f"Réponse de charge n° {index}",
    }


def _text(value) -> str:
    return "" if value is None else str(value)


def page_payloads(association: Association, answers: dict) -> list[dict]:
    """The fields each page of the questionnaire posts, in the order of SECTIONS."""
    data = {
        "forms": {form: answers["forms"].get(form) or FormAnswer.empty_data() for form in FORMS}
    }
    pages = []
    for section in SECTIONS:
        if section.kind == "grid":
            fields = grid_initial(section, data, FORMS)
        elif section.kind == "origin":
            fields = {}
            codes = sorted({code for form in FORMS for code in data["forms"][form]["origin"]})
            for row, code in enumerate(codes):
                fields[f"country-{row}"] = country_name(code)
                for form in FORMS:
                    fields[f"{form}-country-{row}"] = data["forms"][form]["origin"].get(code)
            for form in FORMS:
                fields[f"{form}-origin_unknown"] = data["forms"][form]["origin_unknown"]
        elif section.kind == "profile":
            fields = {
                "departement": association.departement,
                "region": association.region,
                "description": association.description,
            }
        else:
            fields = {
                name: answers[name]
                for name in ("suspects_identified", "association_civil_party_cases", "comment")
            }
        pages.append({"slug": section.slug, "fields": {k: _text(v) for k, v in fields.items()}})
    return pages


def expected_forms(answers: dict) -> dict:
    """What the database must hold once saved: a form left blank has its Part 1 at 0."""
    return {form: answers["forms"].get(form) or FormAnswer.empty_data() for form in FORMS}


@transaction.atomic
def prepare(members: int, staff: int) -> dict:
    """The campaign, associations, accounts; the plan locust follows."""
    user_model = get_user_model()
    Submission.objects.filter(campaign__year=YEAR).delete()
    Campaign.objects.filter(year=YEAR).delete()
    Association.objects.filter(identifier__startswith="W97").delete()
    user_model.objects.filter(email__endswith=f"@{DOMAIN}").delete()
    # The one open campaign: any other is closed for the run (this is a load database).
    Campaign.objects.filter(status=Campaign.Status.OPEN).update(status=Campaign.Status.CLOSED)
    campaign = Campaign.objects.create(
        year=YEAR,
        reference_year=YEAR - 1,
        status=Campaign.Status.OPEN,
        opens_on=django.utils.timezone.localdate(),
        closes_on=django.utils.timezone.localdate() + timedelta(days=30),
    )
    password = make_password(PASSWORD)  # hashed once: same password for every account
    associations = Association.objects.bulk_create(
        Association(
            name=f"Association de charge {index:04d}",
            identifier=IDENTIFIER.format(index),
            departement="75",
            region="IDF",
            description="",
        )
        for index in range(members)
    )
    users = user_model.objects.bulk_create(
        user_model(
            username=f"membre{index:04d}@{DOMAIN}",
            email=f"membre{index:04d}@{DOMAIN}",
            password=password,
        )
        for index in range(members)
    )
    Membership.objects.bulk_create(
        Membership(user=user, association=association)
        for user, association in zip(users, associations, strict=True)
    )
    plan_members = []
    for index, association in enumerate(associations):
        answers = answers_of(index)
        problems = check_submission({**answers, "forms": expected_forms(answers)})
        if problems:
            sys.exit(f"Answers of {association.identifier} break a rule: {problems}")
        plan_members.append(
            {
                "email": users[index].email,
                "password": PASSWORD,
                "home": f"/espace/{association.pk}/",
                "section": f"/espace/{association.pk}/{YEAR}/questionnaire/{{slug}}/",
                "review": f"/espace/{association.pk}/{YEAR}/verification/",
                "pages": page_payloads(association, answers),
            }
        )
    plan_staff = []
    group = staff_group()
    for index in range(staff):
        user = user_model.objects.create(
            username=f"agent{index}@{DOMAIN}",
            email=f"agent{index}@{DOMAIN}",
            password=password,
            is_staff=True,
        )
        user.groups.add(group)
        key = _totp_key(user)
        plan_staff.append({"email": user.email, "password": PASSWORD, "totp_key": key})
    return {
        "year": YEAR,
        "members": plan_members,
        "staff": plan_staff,
        "cockpit": f"/admin/survey/campaign/{campaign.pk}/cockpit/",
        "tables": f"/tableaux/{YEAR}/",
        "downloads": [
            f"/tableaux/{YEAR}/tableaux.xlsx?mode=interne",
            f"/tableaux/{YEAR}/donnees.xlsx",
        ],
    }


def _totp_key(user) -> str | None:
    """A confirmed TOTP device (hex key) when two-factor authentication is installed."""
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return None
    device = TOTPDevice.objects.create(user=user, name="Charge", confirmed=True)
    return device.key


def check_database(plan: dict) -> list[str]:
    """Every member's answers, as sent; every submission submitted."""
    problems = []
    submissions = {
        submission.association.identifier: submission
        for submission in Submission.objects.filter(campaign__year=YEAR)
        .select_related("association")
        .prefetch_related("answers__origins")
    }
    for index, _member in enumerate(plan["members"]):
        identifier = IDENTIFIER.format(index)
        submission = submissions.get(identifier)
        if submission is None:
            problems.append(f"{identifier}: no submission")
            continue
        answers = answers_of(index)
        stored = submission.to_data()
        if submission.status != Submission.Status.SUBMITTED:
            problems.append(f"{identifier}: status {submission.status}, not submitted")
        if stored["forms"] != expected_forms(answers):
            problems.append(f"{identifier}: answers differ from what its member sent")
        for field in ("suspects_identified", "comment"):
            if stored[field] != answers[field]:
                problems.append(f"{identifier}: {field} {stored[field]!r} != {answers[field]!r}")
    return problems


def serve(port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    # The manifest of hashed names that production's static storage reads.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "surveyproject.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(60):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit(f"gunicorn did not answer on /sante/ (see {log})")


def read_stats(prefix: Path) -> list[dict]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as stats:
        return list(csv.DictReader(stats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--staff", type=int, default=5)
    parser.add_argument("--spawn-rate", type=float, default=1.0, help="people started a second")
    parser.add_argument("--run-time", default="20m", help="upper bound (locust's --run-time)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8765)
    # Between opening a page and saving it: 10 s on average, quick for a grid of counts.
    parser.add_argument("--think", type=float, default=10.0, help="mean seconds on a page")
    args = parser.parse_args()
    refuse_unless_load_database()
    locust = shutil.which("locust", path=str(ROOT / ".venv/bin")) or shutil.which("locust")
    if not locust:
        sys.exit("locust is missing: .venv/bin/pip install -r bench/requirements.txt")

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    plan = prepare(args.members, args.staff)
    print(
        f"Prepared {args.members} associations and {args.staff} staff in "
        f"{time.perf_counter() - started:.1f} s "
        f"(campaign {YEAR}, database {settings.DATABASES['default']['NAME']})"
    )

    workdir = Path(tempfile.mkdtemp(prefix="miprof-load-"))
    (workdir / "plan.json").write_text(json.dumps(plan))
    server = serve(args.port, args.workers, args.threads, workdir / "gunicorn.log")
    prefix = workdir / "locust"
    try:
        started = time.perf_counter()
        run = subprocess.run(
            [
                locust,
                "-f",
                str(ROOT / "bench/locustfile.py"),
                "--headless",
                "--host",
                f"http://127.0.0.1:{args.port}",
                "-u",
                str(args.members + args.staff),
                "-r",
                str(args.spawn_rate),
                "--run-time",
                args.run_time,
                "--stop-timeout",
                "30",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={
                **os.environ,
                "LOAD_PLAN": str(workdir / "plan.json"),
                "LOAD_THINK": str(args.think),
            },
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"locust ran for {elapsed:.0f} s (exit status {run.returncode}); files in {workdir}")
    if run.returncode not in (0, 1):
        print(run.stdout[-3000:], run.stderr[-3000:])
    stats = read_stats(prefix)
    print()
    columns = ("count", "failed", "median", "p95", "p99", "max")
    print(f"{'request':<28} " + " ".join(f"{column:>7}" for column in columns) + "  (ms)")
    save_p95 = None
    failures = 0
    for row in stats:
        name = row["Name"]
        failures += int(row["Failure Count"]) if name != "Aggregated" else 0
        values = (
            row["Request Count"],
            row["Failure Count"],
            row["50%"],
            row["95%"],
            row["99%"],
            f"{float(row['Max Response Time']):.0f}",
        )
        print(f"{name:<28} " + " ".join(f"{value:>7}" for value in values))
        if name == "section save":
            save_p95 = float(row["95%"])
    problems = check_database(plan)
    print()
    print(
        f"Database check: {args.members - len({p.split(':')[0] for p in problems})} of "
        f"{args.members} associations submitted with exactly the answers sent."
    )
    for problem in problems[:20]:
        print(f"  {problem}")
    ok = not problems and failures == 0 and save_p95 is not None and save_p95 < SAVE_P95_GOAL_MS
    print(
        f"Failures: {failures}; p95 of section saves: {save_p95} ms (goal < {SAVE_P95_GOAL_MS} ms)"
    )
    print("OK" if ok else "NOT OK")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
