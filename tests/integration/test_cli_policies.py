"""Policy registration and configuration parameters on the command line (R6.1–R6.6): the whole
path from switching BusinessRules on to the participant page, through the one entry point."""

from __future__ import annotations

import datetime as _dt
import os
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from rich.console import Console

from xs_app import bootstrap, cli
from xs_app.cli_support import run
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_app.services.policies import GetParticipantTimeline, ListPolicies

BOX = re.compile("[\u2500-\u257f]")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    for name in [k for k in os.environ if k.startswith("XS_") and k != "XS_TEST_POSTGRES_URL"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XS_DATABASE_URL", url)
    monkeypatch.setattr(cli, "console", Console(width=250))  # no table cell cut short
    return url


def xs(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(typer.main.get_command(cli.app), list(args))
    captured = capsys.readouterr()
    text = BOX.sub(" ", captured.out)  # table borders
    return code, " ".join(text.split()), captured.err


def test_r6_from_the_switch_to_the_participant_page(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = bootstrap(database_url=database)
    operator = app.installation.operator()
    employer = app.organisation.create_employer(
        CreateEmployer(actor=operator, name="Bakkerij", code="BAK")
    )
    employee = app.organisation.register_employee(
        RegisterEmployee(
            actor=operator,
            first_name="Anna",
            last_name="Jansen",
            employment=EmploymentTerms(employer_id=employer, start=_dt.date(2020, 1, 1)),
        )
    )
    app.close()

    code, out, err = xs(capsys, "settings", "show")
    assert (code, err) == (0, "") and "BusinessRules 0 0 0, 1" in out
    assert xs(capsys, "settings", "set", "BusinessRules", "1")[:2] == (0, "BusinessRules: 0 → 1")
    code, out, _ = xs(capsys, "policies", "create-insurer", "Verzekeraar NV", "--code", "VNV")
    assert code == 0
    (insurer,) = UUID.findall(out)
    code, out, _ = xs(
        capsys,
        "policies",
        "create-product",
        "WIA-excedent",
        "--insurer",
        insurer,
        "--kind",
        "wia_excedent",
    )
    (product,) = UUID.findall(out)
    assert xs(capsys, "policies", "products")[1].count(product) == 1
    code, out, err = xs(
        capsys,
        "policies",
        "set-conditions",
        "--product",
        product,
        "--salary-above-max",
        "--older-than",
        "66y3m",
        "--exclude-type",
        "intern",
    )
    assert (code, err) == (0, ""), err
    code, out, err = xs(
        capsys,
        "policies",
        "create-policy",
        "--employer",
        "BAK",
        "--product",
        product,
        "--number",
        "P-001",
        "--start",
        "2026-01-01",
    )
    assert (code, err) == (0, ""), err
    (policy,) = UUID.findall(out)
    code, out, _ = xs(capsys, "policies", "conditions", "--policy", policy)
    assert "ouder dan 66 jaar en 3 maanden" in out and "uitsluiten: intern" in out
    code, out, err = xs(capsys, "policies", "override", "--policy", policy, "--condition", "salary")
    assert (code, err) == (0, ""), err
    code, out, _ = xs(capsys, "policies", "conditions", "--policy", policy)
    assert "Insluiten indien loon hoger dan SV-loon aan uit uit" in out
    assert (
        xs(capsys, "policies", "clear-override", "--policy", policy, "--condition", "salary")[0]
        == 0
    )
    code, out, _ = xs(capsys, "policies", "conditions", "--policy", policy)
    assert "Insluiten indien loon hoger dan SV-loon aan — aan" in out
    code, out, err = xs(
        capsys,
        "policies",
        "register",
        "--policy",
        policy,
        "--employee",
        str(employee),
        "--from",
        "2026-03-01",
        "--until",
        "2026-04-01",
        "--exclude",
        "--note",
        "op verzoek",
    )
    assert (code, err) == (0, ""), err
    code, out, _ = xs(capsys, "policies", "participants", "--policy", policy)
    assert "(1 deelnemers)" in out
    assert "Anna Jansen 2026-03-01 2026-04-01 uitgesloten Handmatig Handmatig op verzoek" in out
    monkeypatch.setenv("XS_LANG", "en")
    code, out, _ = xs(capsys, "policies", "participants", "--policy", policy)
    assert "uitgesloten Manual Manual op verzoek" in out
    code, out, err = xs(
        capsys,
        "policies",
        "register",
        "--policy",
        policy,
        "--employee",
        str(employee),
        "--from",
        "2026-03-15",
        "--exclude",
    )
    assert code == 2 and err.startswith(
        "xs: policies.registrations_overlap: The manual registration"
    )
    code, out, _ = xs(capsys, "settings", "history", "BusinessRules")
    assert code == 0 and " 0 1 " in out
    # what the command line did is what the services see
    app = bootstrap(database_url=database)
    operator = app.installation.operator()
    (summary,) = app.policies.policies(ListPolicies(actor=operator))
    assert (str(summary.id), summary.number) == (policy, "P-001")
    timeline = app.policies.timeline(
        GetParticipantTimeline(actor=operator, policy_id=uuid.UUID(policy), employee_id=employee)
    )
    assert [line.source.code for line in timeline.registrations] == ["manual"]
    app.close()


def test_r6_6_the_nightly_evaluation_on_the_command_line(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Dry run to a CSV (checked by hand: Anna earns € 50.000, below the maximum SV-wage of 2026
    and of the years after it), the run, the run again, its status; refusals in one line."""
    app = bootstrap(database_url=database)
    operator = app.installation.operator()
    employer = app.organisation.create_employer(
        CreateEmployer(actor=operator, name="Bakkerij", code="BAK")
    )
    app.organisation.register_employee(
        RegisterEmployee(
            actor=operator,
            first_name="Anna",
            last_name="Jansen",
            employment=EmploymentTerms(
                employer_id=employer, start=_dt.date(2020, 1, 1), yearly_salary=Decimal(50_000)
            ),
        )
    )
    app.close()
    assert xs(capsys, "settings", "set", "BusinessRules", "1")[0] == 0
    insurer = UUID.findall(xs(capsys, "policies", "create-insurer", "Verzekeraar")[1])[0]
    product = UUID.findall(
        xs(
            capsys, "policies", "create-product", "WIA", "--insurer", insurer,
            "--kind", "wia_excedent",
        )[1]
    )[0]  # fmt: skip
    assert (
        xs(capsys, "policies", "set-conditions", "--product", product, "--salary-above-max")[0] == 0
    )
    code, _, err = xs(
        capsys, "policies", "create-policy", "--employer", "BAK", "--product", product,
        "--number", "P1", "--start", "2026-01-01",
    )  # fmt: skip
    assert (code, err) == (0, "")
    out_file = tmp_path / "dry.csv"
    code, out, err = xs(
        capsys, "policies", "evaluate", "--on", "2026-01-01", "--dry-run", "--csv", str(out_file)
    )
    assert code == 0, err
    lines = out_file.read_text().splitlines()
    assert lines[0].startswith("policy_id,policy_number,employee_id,start,end,included,reasons")
    assert [line.split(",")[3:7] for line in lines[1:]] == [
        ["2026-01-01", "2027-01-01", "0", "Salaris"],
        ["2027-01-01", "", "0", "Salaris"],
    ]
    code, out, err = xs(capsys, "policies", "evaluate", "--on", "2026-01-01")
    assert code == 0, err
    assert "1 werknemers gewijzigd, 2 registraties toegevoegd" in out
    run_id = UUID.findall(out)[0]
    code, out, err = xs(capsys, "policies", "evaluate", "--on", "2026-01-01")
    assert "0 werknemers gewijzigd, 0 registraties toegevoegd" in out
    code, out, err = xs(capsys, "policies", "run-status", run_id)
    assert code == 0 and "(klaar)" in out and "2 registraties toegevoegd" in out
    for args, expected in (
        (("--csv", str(tmp_path / "x.csv")), "cli.csv_needs_dry_run"),
        (("--queue",), "worker.postgres_only"),
        (("--chunk-size", "0"), "--chunk-size"),
    ):
        code, out, err = xs(capsys, "policies", "evaluate", "--on", "2026-01-01", *args)
        assert code == 2 and expected in err and len(err.strip().splitlines()) == 1, err
    code, _, err = xs(capsys, "worker", "--once")
    assert code == 2 and "worker.postgres_only" in err
