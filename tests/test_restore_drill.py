"""bench/restore_drill.py on the test database: identical after restore, and a tampered
answer is caught. PostgreSQL only (pg_dump, pg_restore); skipped on SQLite."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reports.models import StoredFigures
from reports.tables import all_tables
from survey.demo import load_demo
from survey.models import Campaign

DRILL = Path(settings.BASE_DIR) / "bench" / "restore_drill.py"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the restore drill needs PostgreSQL"
)


@pytest.fixture
def source_url(transactional_db) -> str:
    load_demo(with_dataset=False)  # committed: pg_dump runs in another session
    for campaign in Campaign.objects.all():  # the tables viewed: their figures stored
        all_tables(campaign)
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def drill(source_url: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(DRILL), "--source", source_url, "--force", *options],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_restored_database_is_identical(source_url):
    result = drill(source_url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: the restored database is identical to the source." in result.stdout
    assert "dropped" in result.stdout


def test_a_tampered_answer_fails_the_drill(source_url):
    result = drill(source_url, "--tamper-test")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED" in result.stdout
    assert "other: survey_formanswer differs" in result.stdout
    assert "submissions: 2024 " in result.stdout
    # Computed from the answers, not read from the figures stored before the change.
    assert "tables: 2024 differs" in result.stdout


def test_the_drill_leaves_the_source_as_it_was(source_url):
    stored = list(StoredFigures.objects.values_list("campaign", "stamp", "computed_at"))
    assert stored
    assert drill(source_url).returncode == 0
    assert list(StoredFigures.objects.values_list("campaign", "stamp", "computed_at")) == stored
