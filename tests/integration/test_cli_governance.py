"""`warroom governance export`: the masked export of healthcare.patients from
the command line, and clear errors for a missing secret or a bad path."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json

import psycopg
import pytest

from engine.governance.export import PATIENT_COLUMNS
from tests.integration.test_cli import assert_clean_error, run_cli

SECRET = "cli-test-mask-secret-41c8"
# The columns governance.masking in config/warroom.yaml masks.
MASKED = ("member_id", "first_name", "last_name", "date_of_birth", "zip_code")


def _patients(url: str) -> list[dict[str, str]]:
    columns = ", ".join(PATIENT_COLUMNS)
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            f"SELECT {columns} FROM healthcare.patients ORDER BY patient_id"
        ).fetchall()
    return [
        {name: str(value) for name, value in zip(PATIENT_COLUMNS, row, strict=True)}
        for row in rows
    ]


def test_export_csv_masks_phi(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("WARROOM_MASK_SECRET", SECRET)

    result = run_cli(
        "governance",
        "export",
        "--format",
        "csv",
        "--out",
        "out/patients.csv",
        "--target",
        database_url,
        home=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    path = tmp_path / "exports" / "out" / "patients.csv"
    source = _patients(database_url)
    assert f"wrote {len(source)} patient(s) to {path}" in result.stdout
    assert "member_id (hash)" in result.stdout
    with path.open(newline="", encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    assert len(exported) == len(source)
    assert list(exported[0]) == list(PATIENT_COLUMNS)
    for column in MASKED:
        raw = {patient[column] for patient in source}
        written = {patient[column] for patient in exported}
        assert not raw & written, column
    # Rows come in an order unrelated to patient_id, so they are compared
    # as a set.
    hashed_ids = {
        hmac.new(
            SECRET.encode(), patient["patient_id"].encode(), hashlib.sha256
        ).hexdigest()
        for patient in source
    }
    assert {patient["patient_id"] for patient in exported} == hashed_ids
    assert path.stat().st_mode & 0o777 == 0o600


def test_export_json_default_path(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("WARROOM_MASK_SECRET", SECRET)

    result = run_cli(
        "governance",
        "export",
        "--format",
        "json",
        "--target",
        database_url,
        home=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    written = list((tmp_path / "exports").glob("patients-masked-*.json"))
    assert len(written) == 1
    assert str(written[0]) in result.stdout
    records = json.loads(written[0].read_text(encoding="utf-8"))
    assert len(records) == len(_patients(database_url))
    assert len(records[0]["member_id"]) == 64


def test_export_without_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("WARROOM_MASK_SECRET", raising=False)

    result = run_cli("governance", "export", "--format", "csv", home=tmp_path)

    assert_clean_error(result, "WARROOM_MASK_SECRET", "member_id")
    assert not (tmp_path / "exports").exists()
    # The check runs before the embedded database would start.
    assert not (tmp_path / "pgdata").exists()


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("../outside.csv", "not a file inside the exports folder"),
        ("../pgdata/x.csv", "not a file inside the exports folder"),
        ("taken.csv", "exists; name a new file or remove that one"),
        ("patients.json", "does not end in .csv"),
    ],
    ids=["outside", "pgdata", "exists", "extension"],
)
def test_export_bad_path(tmp_path, monkeypatch, out, message):
    # No secret: the path is checked first and reported on its own.
    monkeypatch.delenv("WARROOM_MASK_SECRET", raising=False)
    home = tmp_path / "home"
    (home / "exports").mkdir(parents=True)
    (home / "exports" / "taken.csv").write_text("an earlier export\n")

    result = run_cli("governance", "export", "--format", "csv", "--out", out, home=home)

    assert_clean_error(result, message)
    assert "WARROOM_MASK_SECRET" not in result.stderr
    assert not (tmp_path / "outside.csv").exists()
    assert (home / "exports" / "taken.csv").read_text() == "an earlier export\n"
    # The check runs before the embedded database would start.
    assert not (home / "pgdata").exists()


def test_export_target_help(tmp_path):
    result = run_cli("governance", "export", "--help", home=tmp_path)

    # argparse wraps help text at the terminal's width.
    text = " ".join(result.stdout.split())
    assert result.returncode == 0, result.stderr
    assert "database to export from" in text
    assert "to watch" not in text
