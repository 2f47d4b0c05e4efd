"""``xs demo``: a synthetic organisation in SQLite and what the library does with it."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal
from pathlib import Path

import attrs
import pendulum
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from xs_app.bootstrap import Xs, bootstrap
from xs_app.cli import participants_table, search_table
from xs_app.cli_evaluation import status_line, summary_table
from xs_app.demo_mail import mail_and_messaging_demo
from xs_app.demo_reports import reports_demo
from xs_app.services.access import CreateRole, CreateUser
from xs_app.services.agenda import CreateLocation, PlanAvailability, RegisterActivity
from xs_app.services.billing import (
    ConcludeAgreement,
    CreateContractModel,
    MakeInvoiceBasisFinal,
    MarkInvoiceSent,
    RunBilling,
    SetDeviatingFrequency,
    Subscribe,
    SubscriptionSchedule,
)
from xs_app.services.configuration import SetParameter
from xs_app.services.employments import ActionLinks, ChangeEmployment, EndEmployment
from xs_app.services.organisation import (
    AddContactPerson,
    AdvancedSearch,
    EmploymentTerms,
    GetContactPersonWidget,
    GetEmployee,
    OpenDossier,
    RegisterEmployee,
    SearchBranches,
    SetVatNumber,
)
from xs_app.services.policies import (
    CreateInsuranceProduct,
    CreateInsurer,
    CreatePolicy,
    GetParticipants,
    GetParticipantTimeline,
    GetPolicyConditions,
    RegisterParticipation,
    SetProductConditions,
)
from xs_app.services.policy_evaluation import EvaluatePolicies
from xs_app.services.protocols import (
    BulkStart,
    CloseTrajectory,
    CreateProtocol,
    ProposeBulkStart,
    ReportSickness,
    TrajectoriesOf,
)
from xs_app.services.reimbursements import (
    CreateRelation,
    DecideReimbursementLines,
    ExportSepaTransfer,
    FinaliseReimbursementBatch,
    GenerateReimbursementBatch,
    GetRelation,
    PayingAccount,
    ReimbursementBatchLines,
    RelationDetails,
    SetContractSettings,
)
from xs_app.synthetic import SyntheticGenerator, SyntheticOrganisation, SyntheticSize, load
from xs_core.access.features import Feature
from xs_core.access.model import RoleKind
from xs_core.agenda.spans import TimeSpan
from xs_core.billing import BillingFrequency, ContractKind, ContractModelType, Payer, PriceCategory
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.model import Employer, EndReason
from xs_core.organisation.search import SearchContext
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.parameters import aow_date, max_sv_wage
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionName,
    Conditions,
    SalaryCondition,
)
from xs_core.policies.model import ProductKind
from xs_core.protocols.action_links import Placement
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit
from xs_core.protocols.model import (
    OLD_COMPENSATION_TASK,
    ProtocolCharacteristics,
    ProtocolKind,
    TaskTemplate,
)
from xs_core.reimbursements import LineDecision, ReimbursementBatch
from xs_core.settings import Parameter


def run_demo(
    database_url: str,
    seed: int,
    console: Console,
    *,
    label: str | None = None,
    report_files: tuple[Path, Path] | None = None,
) -> None:
    """Build the demo database at ``database_url`` and show the rules; ``label`` names the
    database in the output (the CLI builds into a temporary file and shows the final name);
    ``report_files`` (CSV, XLSX) receive R3.1's absence report."""
    xs = bootstrap(database_url=database_url)
    console.print(Panel.fit(f"xs demo — {label or database_url}", style="bold"))
    today = xs.clock.today()

    size = SyntheticSize(folders=3, employers=25, departments=150, branches=60, employees=1500)
    organisation = load(xs.unit_of_work, SyntheticGenerator(seed, size))
    console.print(
        f"Synthetische organisatie (seed {seed}): {size.employers} werkgevers, "
        f"{size.departments} afdelingen, {size.branches} vestigingen, {size.employees} werknemers"
    )

    admin = xs.installation.create_super_administrator("Beheerder", "beheer@example.nl")
    employer = organisation.employers[0]

    # R1.1 VAT number ------------------------------------------------------------------------
    table = Table(title="R1.1 BTW-nummer (werkgeverbeheer › Financieel)")
    for column in ("Invoer", "Resultaat", "Code", "Melding (nl)", "Message (en)"):
        table.add_column(column)
    for text in ("nl 0044.95.445-b01", "NL000099998B57", "NL123456789B01", "XX123", ""):
        try:
            vat = xs.organisation.set_vat_number(
                SetVatNumber(actor=admin, employer_id=employer.id, vat_number=text)
            )
            shown = "gewist" if vat is None else f"{vat.formatted} (opgeslagen: {vat})"
            table.add_row(repr(text), shown, "", "", "")
        except DomainError as error:
            table.add_row(
                repr(text),
                "[red]geweigerd[/red]",
                error.code,
                error.message("nl"),
                error.message("en"),
            )
    console.print(table)

    # R0.6 + R1.3 advanced search --------------------------------------------------------------
    role = xs.access.create_role(
        CreateRole(
            actor=admin,
            name="Werkgever",
            features=frozenset({Feature.VIEW_ORGANISATION}),
            kind=RoleKind.EMPLOYER,
        )
    )
    employer_user = xs.access.create_user(
        CreateUser(
            actor=admin,
            name="Werkgevergebruiker",
            email="werkgever@example.nl",
            role_ids=frozenset({role}),
            scope=frozenset({UnitRef(UnitKind.EMPLOYER, employer.id)}),
        )
    )
    department = next(d for d in organisation.departments if d.employer_id == employer.id)
    if not any(d.unit.id == department.id for d in organisation.dossiers):
        xs.organisation.open_dossier(
            OpenDossier(actor=admin, unit=UnitRef(UnitKind.DEPARTMENT, department.id))
        )
    term = department.name.split()[0][:4]
    admin_page = xs.organisation.search(
        AdvancedSearch(actor=admin, term=term, context=SearchContext.ADMINISTRATION, page_size=8)
    )
    console.print(
        search_table(f"R1.3 '{term}' — beheerder vanuit organisatiebeheer", admin_page.results)
    )
    portal_page = xs.organisation.search(
        AdvancedSearch(actor=employer_user, term=term, page_size=8)
    )
    console.print(
        search_table(
            f"R1.3 '{term}' — werkgevergebruiker ({employer.name}) vanuit het portaal; "
            "alleen binnen de eigen werkgever",
            portal_page.results,
        )
    )

    # R1.4 branch search -----------------------------------------------------------------------
    branches_of = next(b.employer_id for b in organisation.branches)
    branch = next(b for b in organisation.branches if b.employer_id == branches_of)
    found = xs.organisation.search_branches(
        SearchBranches(actor=admin, employer_id=branches_of, term=branch.address.city[:5])
    )
    table = Table(title=f"R1.4 Zoeken binnen vestigingen: '{branch.address.city[:5]}'")
    for column in ("Naam", "Code", "Adres"):
        table.add_column(column)
    for b in found:
        table.add_row(b.name, b.code or "", str(b.address))
    console.print(table)

    # R1.5 contact persons ---------------------------------------------------------------------
    xs.organisation.add_contact_person(
        AddContactPerson(
            actor=admin,
            employer_id=employer.id,
            name="Anna de Vries",
            role="HR-adviseur",
            email="anna@example.nl",
            phone="06 12345678",
            position=0,
        )
    )
    for viewer, label in ((admin, "beheerder"), (employer_user, "werkgevergebruiker")):
        widget = xs.organisation.contact_person_widget(
            GetContactPersonWidget(actor=viewer, employer_id=employer.id)
        )
        table = Table(title=f"R1.5 Contactpersonen {employer.name} — gezien door {label}")
        for column in ("Titel", "Open", "E-mail", "Telefoon", "Bewerken/verwijderen"):
            table.add_column(column)
        for item in widget.items:
            table.add_row(
                item.title,
                "▼" if item.expanded else "▶",
                item.email or "" if item.expanded else "",
                item.phone or "" if item.expanded else "",
                "ja" if item.can_edit else "nee",
            )
        console.print(table)

    # R0.4 statutory parameters, R0.3 money ----------------------------------------------------
    table = Table(title="R0.4 AOW-leeftijd (art. 7a AOW)")
    for column in ("Geboren", "AOW-datum", "Leeftijd", "Voorlopig"):
        table.add_column(column)
    for born in (
        _dt.date(1950, 8, 31),
        _dt.date(1960, 12, 31),
        _dt.date(1961, 1, 1),
        _dt.date(1970, 5, 31),
    ):
        result = aow_date(born)
        table.add_row(
            born.isoformat(),
            result.date.isoformat(),
            str(result.age),
            "ja" if result.provisional else "nee",
        )
    console.print(table)
    console.print(f"Maximum SV-loon {today.year}: € {max_sv_wage(today):,}".replace(",", "."))
    console.print(
        "R0.3 € 100,00 over 12 maanden: "
        + ", ".join(p.display_nl() for p in Money("100.00").split(12))
    )

    _protocols_demo(xs, admin, organisation, console)
    reports_demo(xs, admin, organisation, console, report_files)
    _agenda_demo(xs, admin, console)
    _billing_demo(xs, admin, organisation.employers[2], console)
    _reimbursements_demo(xs, admin, organisation.employers[3], console)
    policies = _policies_demo(xs, admin, organisation.employers[4], console)
    _nightly_evaluation_demo(xs, admin, policies, console)
    mail_and_messaging_demo(xs, admin, organisation.dossiers[:2], console)

    # R0.7 outbox ------------------------------------------------------------------------------
    pending = xs.outbox.pending(limit=1000)
    console.print(
        f"R0.7 Domeingebeurtenissen in de outbox: {len(pending)} "
        f"({', '.join(sorted({m.name for m in pending}))})"
    )
    xs.close()


def _protocols_demo(
    xs: Xs, admin: uuid.UUID, organisation: SyntheticOrganisation, console: Console
) -> None:
    """R2.1–R2.5 on the synthetic organisation."""
    today = xs.clock.today()
    employer = organisation.employers[1]
    pmo = xs.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name="PMO 2027",
            kind=ProtocolKind.PMO,
            task_templates=(
                TaskTemplate(code="VRAGENLIJST", title="Vragenlijst"),
                OLD_COMPENSATION_TASK,
            ),
            characteristics=ProtocolCharacteristics(may_start_in_bulk=True),
        )
    )
    sickness = xs.protocols.create_protocol(
        CreateProtocol(actor=admin, name="Verzuim", kind=ProtocolKind.SICKNESS)
    )
    start = today.add(days=2)
    unit = BulkUnit(employer_ids=frozenset({employer.id}))
    request = BulkStartRequest(
        request_id=uuid.uuid4(),
        protocol_id=pmo,
        unit=unit,
        start=start,
        end_date=start.add(months=6),
    )
    table = Table(title=f"R2.2 Bulkstart PMO voor {employer.name} per {start.isoformat()}")
    for column in ("Poging", "Gestart", "Overgeslagen", "Herhaald"):
        table.add_column(column)
    for attempt in ("eerste keer", "zelfde verzoek opnieuw"):
        result = xs.bulk_start.start(BulkStart(actor=admin, request=request))
        table.add_row(
            attempt, str(result.started), str(result.skipped), "ja" if result.repeated else "nee"
        )
    console.print(table)
    try:
        xs.bulk_start.start(
            BulkStart(
                actor=admin, request=attrs.evolve(request, request_id=uuid.uuid4(), end_date=None)
            )
        )
    except DomainError as error:
        console.print(f"R2.2 zonder einddatum: [red]{error.code}[/red] — {error.message('nl')}")

    proposal = xs.bulk_start.propose(
        ProposeBulkStart(actor=admin, protocol_id=pmo, unit=unit, start=start)
    )
    someone = proposal[0]
    trajectories = xs.trajectories.trajectories_of(
        TrajectoriesOf(actor=admin, employee_id=someone.employee_id)
    )
    pmo_trajectory = next(x for x in trajectories if x.protocol_id == pmo)
    console.print(
        f"R2.5 Taken op een PMO-traject van {someone.name}: "
        f"{[t.title for t in pmo_trajectory.tasks]} (nooit de oude 55+-taak)"
    )
    try:
        xs.trajectories.close_trajectory(
            CloseTrajectory(
                actor=admin, trajectory_id=pmo_trajectory.id, end_date=today.add(days=10)
            )
        )
    except DomainError as error:
        console.print(
            f"R2.4 Afsluiten in de toekomst: [red]{error.code}[/red] — {error.message('nl')}"
        )

    table = Table(title="R2.5 Ziekmelding: taak compensatieregeling oudere werknemers")
    for column in ("Werknemer", "Geboren", "In dienst sinds", "Taak", "Reden"):
        table.add_column(column)
    people = [
        xs.organisation.employee(GetEmployee(actor=admin, employee_id=c.employee_id))
        for c in proposal[1:]
    ]
    people.sort(key=lambda p: p.birth_date or today)
    for employee in people[:3] + people[-2:]:
        trajectory = xs.trajectories.report_sickness(
            ReportSickness(
                actor=admin,
                protocol_id=sickness,
                employee_id=employee.id,
                first_sick_day=today.subtract(days=3),
            )
        )
        decision = trajectory.compensation
        leading = employee.leading_employment_on(today.subtract(days=3))
        table.add_row(
            employee.full_name,
            str(employee.birth_date),
            "" if leading is None else str(leading.period.start),
            "ja" if decision and decision.added else "nee",
            "" if decision is None else decision.reason.value,
        )
    console.print(table)

    employee = xs.organisation.employee(GetEmployee(actor=admin, employee_id=someone.employee_id))
    employment_id = someone.employment_id
    xs.employments.change_employment(
        ChangeEmployment(
            actor=admin,
            employee_id=employee.id,
            employment_id=employment_id,
            effective=today.subtract(months=1),
            hours_per_week=Decimal(24),
        )
    )
    ended = xs.employments.end_employment(
        EndEmployment(
            actor=admin,
            employee_id=employee.id,
            employment_id=employment_id,
            end=today.add(months=1),
            reason=EndReason.RESIGNATION,
        )
    )
    history = (
        xs.organisation.employee(GetEmployee(actor=admin, employee_id=employee.id))
        .employment(employment_id)
        .versions
    )
    console.print(
        f"R2.3 Uit dienst per {ended.end} ({employee.full_name}); "
        f"{len(ended.open_trajectories)} open traject(en) blijven open; historie: "
        + ", ".join(f"{v.valid} {v.conditions.hours_per_week} u" for v in history)
    )
    console.print(
        "R2.3 Actielinks op de actielinkwidget: "
        + ", ".join(
            link.value
            for link in xs.action_links.links(
                ActionLinks(actor=admin, placement=Placement.PORTAL_WIDGET)
            )
        )
    )


def _agenda_demo(xs: Xs, admin: uuid.UUID, console: Console) -> None:
    """R4.3: two consultation rooms; 09–10 and 10–11 planned, 09–11 fits, 09:30–10:30 not."""
    location = xs.agenda.create_location(
        CreateLocation(actor=admin, name="Locatie A (2 kamers)", max_parallel=2)
    )
    day = xs.clock.today().add(days=7)
    professional = xs.access.create_role(
        CreateRole(
            actor=admin,
            name="Bedrijfsarts",
            features=frozenset({Feature.HOLD_AVAILABILITIES, Feature.REGISTER_ACTIVITIES}),
        )
    )
    doctors = iter(
        [
            xs.access.create_user(
                CreateUser(
                    actor=admin,
                    name=f"Bedrijfsarts {n}",
                    email=f"arts{n}@example.nl",
                    role_ids=frozenset({professional}),
                )
            )
            for n in range(4)
        ]
    )

    def at(hour: int, minute: int = 0) -> pendulum.DateTime:
        return pendulum.datetime(day.year, day.month, day.day, hour, minute, tz="Europe/Amsterdam")

    table = Table(title="R4.3 Maximaal 2 parallelle beschikbaarheden op Locatie A")
    for column in ("Beschikbaarheid", "Resultaat"):
        table.add_column(column)
    for start, end in ((at(9), at(10)), (at(10), at(11)), (at(9), at(11)), (at(9, 30), at(10, 30))):
        label = TimeSpan(start, end).display_nl()
        try:
            xs.agenda.plan_availability(
                PlanAvailability(
                    actor=admin,
                    professional_id=next(doctors),
                    location_id=location,
                    start=start,
                    end=end,
                )
            )
            table.add_row(label, "gepland")
        except DomainError as error:
            table.add_row(label, f"[red]{error.code}[/red]: {error.message('nl')}")
    console.print(table)


@attrs.frozen
class PoliciesDemo:
    """What the policy-registration demo made, for the nightly evaluation that follows it."""

    employer: Employer
    wia_policy: uuid.UUID
    pension_policy: uuid.UUID
    employees: dict[str, uuid.UUID]
    #: the employee excluded by hand from the pension policy
    excluded: uuid.UUID


def _policies_demo(xs: Xs, admin: uuid.UUID, employer: Employer, console: Console) -> PoliciesDemo:
    """R6.1–R6.5: the BusinessRules switch, a WIA-excedent policy with the salary condition, a
    pension policy with the age condition (66 years and 3 months), a manual exclusion, the
    evaluation of each participant and the participant page."""
    policies = xs.policies
    insurer = policies.create_insurer(
        CreateInsurer(actor=admin, name="Nationale Verzekeraar", code="NATVZ")
    )
    wia = policies.create_product(
        CreateInsuranceProduct(
            actor=admin,
            insurer_id=insurer,
            name="WIA-excedentverzekering",
            kind=ProductKind.WIA_EXCEDENT,
        )
    )
    pension = policies.create_product(
        CreateInsuranceProduct(
            actor=admin, insurer_id=insurer, name="Pensioenregeling", kind=ProductKind.PENSION
        )
    )
    salary = Conditions(salary=SalaryCondition(active=True))
    try:
        policies.set_product_conditions(
            SetProductConditions(actor=admin, product_id=wia, conditions=salary)
        )
    except DomainError as error:
        console.print(f"R6.1 Voorwaarden instellen met BusinessRules = 0: [red]{error.code}[/red]")
    xs.configuration.set_parameter(
        SetParameter(actor=admin, parameter=Parameter.BUSINESS_RULES, value=1)
    )
    console.print("R6.1 Configuratieparameter BusinessRules: 0 → 1")
    policies.set_product_conditions(
        SetProductConditions(actor=admin, product_id=wia, conditions=salary)
    )
    policies.set_product_conditions(
        SetProductConditions(
            actor=admin,
            product_id=pension,
            conditions=Conditions(age=AgeCondition(active=True, older_than=Age(66, 3))),
        )
    )
    start = _dt.date(2026, 1, 1)
    wia_policy, pension_policy = (
        policies.create_policy(
            CreatePolicy(
                actor=admin,
                employer_id=employer.id,
                product_id=product,
                number=number,
                start=start,
            )
        )
        for product, number in ((wia, "WIAX-2026-001"), (pension, "PENS-2026-001"))
    )
    people = {
        "Eva de Wit": (_dt.date(1985, 4, 10), 95_000),
        "Kees Smit": (_dt.date(1960, 2, 29), 52_000),
        "Fatima El Amrani": (_dt.date(1990, 7, 1), 80_000),
    }
    employees = {
        name: xs.organisation.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=name.split(" ", 1)[0],
                last_name=name.split(" ", 1)[1],
                birth_date=born,
                employment=EmploymentTerms(
                    employer_id=employer.id,
                    start=_dt.date(2019, 1, 1),
                    yearly_salary=Decimal(pay),
                ),
            )
        )
        for name, (born, pay) in people.items()
    }
    excluded = employees["Fatima El Amrani"]
    policies.register_manually(
        RegisterParticipation(
            actor=admin,
            policy_id=pension_policy,
            employee_id=excluded,
            period=DateRange(start, _dt.date(2027, 1, 1)),
            included=False,
            note="Eigen pensioenregeling",
        )
    )
    for policy, label in ((wia_policy, "WIA-excedent"), (pension_policy, "Pensioen")):
        seen = policies.conditions(GetPolicyConditions(actor=admin, policy_id=policy))
        active = [n.label_nl for n in ConditionName if getattr(seen.effective, n.value).active]
        table = Table(
            title=f"R6.2–R6.4 {label} bij {employer.name}: {', '.join(active)} "
            "(evaluatie nu, per deelnemer)"
        )
        for column in ("Werknemer", "Van", "Tot", "Deelname", "Bron", "Reden", "Notitie"):
            table.add_column(column)
        for name, employee in employees.items():
            timeline = policies.timeline(
                GetParticipantTimeline(actor=admin, policy_id=policy, employee_id=employee)
            )
            for n, line in enumerate(timeline.evaluation or ()):
                table.add_row(
                    name if n == 0 else "",
                    line.period.start.isoformat(),
                    "" if line.period.end is None else line.period.end.isoformat(),
                    "ingesloten" if line.included else "uitgesloten",
                    line.source.nl,
                    ", ".join(r.nl for r in line.reasons),
                    "; ".join([*(x.nl for x in line.notes), *([line.note] if line.note else [])]),
                )
        console.print(table)
    console.print(
        participants_table(
            policies.participants(GetParticipants(actor=admin, policy_id=pension_policy)),
            "PENS-2026-001",
        )
    )
    return PoliciesDemo(
        employer=employer,
        wia_policy=wia_policy,
        pension_policy=pension_policy,
        employees=employees,
        excluded=excluded,
    )


def _nightly_evaluation_demo(
    xs: Xs, admin: uuid.UUID, policies: PoliciesDemo, console: Console
) -> None:
    """R6.6: the nightly evaluation as of today — a dry run first (what would change and why,
    counted per reason), then for real, then again (it writes nothing); the manual exclusion of
    the pension policy stays (R6.4)."""
    on = xs.clock.today()
    run = EvaluatePolicies(actor=admin, on=on)
    console.print(summary_table(xs.policy_evaluation.dry_run(run)))
    console.print(f"R6.6 {status_line(xs.policy_evaluation.evaluate(run), with_id=False)}")
    again = xs.policy_evaluation.evaluate(run)
    console.print(f"R6.6 Nogmaals: {status_line(again, with_id=False)}")
    page = xs.policies.participants(GetParticipants(actor=admin, policy_id=policies.pension_policy))
    console.print(participants_table(page, "PENS-2026-001"))
    manual = [
        line
        for participant in page.participants
        if participant.employee_id == policies.excluded
        for line in participant.registrations
        if line.source.code == "manual"
    ]
    console.print(
        "R6.4 De handmatige uitsluiting staat er nog: "
        + ", ".join(f"{m.period.start.isoformat()} – {m.note or ''}" for m in manual)
    )


def _billing_demo(xs: Xs, admin: uuid.UUID, customer: Employer, console: Console) -> None:
    """R5.1: a yearly contract billed quarterly, a refused deviation, a billing run over
    released activities (R4.4), made final and sent: the activities become offered."""
    model = xs.billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Verkoopcontract verzuimbegeleiding (jaarlijks)",
            kind=ContractKind.SALES,
            billing_frequency=BillingFrequency.YEARLY,
            active=DateRange(_dt.date(2025, 1, 1)),
            price_categories=(
                PriceCategory(activity_type="Spreekuur bedrijfsarts", price=Money("145.00")),
                PriceCategory(activity_type="Telefonisch consult", price=Money("42.50")),
            ),
        )
    )
    agreement = xs.billing.conclude_agreement(
        ConcludeAgreement(
            actor=admin,
            employer_id=customer.id,
            contract_model_id=model,
            period=DateRange(_dt.date(2026, 1, 1)),
            service_variation="Verzuim Plus",
            deviating_frequency=BillingFrequency.QUARTERLY,
        )
    )
    subscription = xs.billing.subscribe(
        Subscribe(
            actor=admin,
            agreement_id=agreement,
            description="Abonnement verzuimbegeleiding",
            amount=Money("1000.01"),
            period=DateRange(_dt.date(2026, 1, 1)),
        )
    )
    year = DateRange(_dt.date(2026, 1, 1), _dt.date(2027, 1, 1))
    table = Table(
        title=f"R5.1 {customer.name}: € 1.000,01 per jaar, afwijkend per kwartaal gefactureerd"
    )
    for column in ("Periode", "Bedrag"):
        table.add_column(column)
    for period in xs.billing.schedule(
        SubscriptionSchedule(actor=admin, subscription_id=subscription, window=year)
    ):
        table.add_row(period.period.display_nl(), period.amount.display_nl())
    console.print(table)
    try:
        xs.billing.set_deviating_frequency(
            SetDeviatingFrequency(
                actor=admin, agreement_id=agreement, frequency=BillingFrequency.YEARLY
            )
        )
    except DomainError as error:
        console.print(f"R5.1 Jaarlijks i.p.v. per kwartaal: [red]{error.code}[/red]")

    employees = [
        xs.organisation.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=first,
                last_name=last,
                employment=EmploymentTerms(employer_id=customer.id, start=_dt.date(2024, 5, 1)),
            )
        )
        for first, last in (("Sanne", "Visser"), ("Daan", "Bakker"))
    ]
    for index, employee in enumerate(employees):
        for day, kind in ((5, "Spreekuur bedrijfsarts"), (19, "Telefonisch consult")):
            xs.agenda.register_activity(
                RegisterActivity(
                    actor=admin,
                    employee_id=employee,
                    activity_type=kind,
                    performed_on=_dt.date(2026, 2, day + index),
                )
            )
    quarter = DateRange(_dt.date(2026, 1, 1), _dt.date(2026, 4, 1))
    summary = xs.billing.run(
        RunBilling(actor=admin, period=quarter, employer_ids=frozenset({customer.id}))
    )
    console.print(
        f"R5.1 Facturatierun {quarter.display_nl()}: {len(summary.invoice_bases)} "
        f"factuurgrondslag, {summary.subscription_lines} abonnementsregel, "
        f"{summary.activity_lines} verrichtingsregels, totaal {summary.total.display_nl()}"
    )
    basis = summary.invoice_bases[0]
    xs.billing.make_final(MakeInvoiceBasisFinal(actor=admin, basis_id=basis))
    offered = xs.billing.mark_sent(MarkInvoiceSent(actor=admin, basis_id=basis))
    console.print(f"R5.1 Definitief gemaakt en verzonden: {offered} verrichtingen aangeboden")


def _reimbursements_demo(xs: Xs, admin: uuid.UUID, customer: Employer, console: Console) -> None:
    """R5.2–R5.5: a supplier, a reimbursement contract model, two contract holders whose
    activities are invoiced, made final and sent (offered); a batch with a postponed line, made
    final and paid by a SEPA file; the next batch takes the postponed line."""
    from xs_app.sepa import schema_path

    svc = xs.reimbursements
    table = Table(title="R5.2 Leveranciers: ongeldige invoer")
    for column in ("Invoer", "Code", "Melding (nl)"):
        table.add_column(column)
    for label, details in (
        (
            "IBAN NL91 ABNA 0417 1643 01",
            RelationDetails(name="X", code="X", iban="NL91ABNA0417164301"),
        ),
        ("postcode 0123 AB", RelationDetails(name="X", code="X", postcode="0123 AB")),
        ("BTW NL123456789B01", RelationDetails(name="X", code="X", vat_number="NL123456789B01")),
    ):
        try:
            svc.create_relation(CreateRelation(actor=admin, details=details))
        except DomainError as error:
            table.add_row(label, error.code, error.message("nl"))
    console.print(table)
    supplier = svc.create_relation(
        CreateRelation(
            actor=admin,
            details=RelationDetails(
                name="Arbo Partners BV",
                code="ARBOP",
                street="Catharijnesingel",
                house_number="10",
                postcode="3511gb",
                city="Utrecht",
                vat_number="NL 0044.95445.B01",
                iban="nl91 abna 0417 1643 00",
            ),
        )
    )
    found = svc.relation(GetRelation(actor=admin, relation_id=supplier))
    assert found.iban is not None and found.vat_number is not None
    console.print(
        f"R5.2 Leverancier {found.code} {found.name}, {found.address}: IBAN {found.iban.formatted}"
        f" (BIC {found.iban.bic}), BTW {found.vat_number.formatted}"
    )
    model = xs.billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Vergoedingscontract bedrijfsartsen",
            kind=ContractKind.GUIDANCE,
            billing_frequency=BillingFrequency.MONTHLY,
            active=DateRange(_dt.date(2025, 1, 1)),
            model_type=ContractModelType.REIMBURSEMENT,
            price_categories=(
                PriceCategory(
                    activity_type="Spreekuur bedrijfsarts",
                    price=Money("60.00"),
                    payer=Payer.SUPPLIER,
                ),
                PriceCategory(
                    activity_type="Telefonisch consult", price=Money("0.00"), payer=Payer.SUPPLIER
                ),
            ),
        )
    )
    sales = xs.billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Verkoopcontract verrichtingen",
            kind=ContractKind.SALES,
            billing_frequency=BillingFrequency.YEARLY,
            active=DateRange(_dt.date(2025, 1, 1)),
            price_categories=(
                PriceCategory(activity_type="Spreekuur bedrijfsarts", price=Money("145.00")),
                PriceCategory(activity_type="Telefonisch consult", price=Money("42.50")),
            ),
        )
    )
    xs.billing.conclude_agreement(
        ConcludeAgreement(
            actor=admin,
            employer_id=customer.id,
            contract_model_id=sales,
            period=DateRange(_dt.date(2026, 1, 1)),
        )
    )
    try:
        xs.billing.conclude_agreement(
            ConcludeAgreement(
                actor=admin,
                employer_id=customer.id,
                contract_model_id=model,
                period=DateRange(_dt.date(2026, 1, 1)),
            )
        )
    except DomainError as error:
        console.print(f"R5.4 Vergoedingsmodel aan een dienstverlening: [red]{error.code}[/red]")
    employee = xs.organisation.register_employee(
        RegisterEmployee(
            actor=admin,
            first_name="Lotte",
            last_name="de Boer",
            employment=EmploymentTerms(employer_id=customer.id, start=_dt.date(2023, 9, 1)),
        )
    )
    role = xs.access.create_role(
        CreateRole(
            actor=admin,
            name="Bedrijfsarts (extern)",
            features=frozenset({Feature.REGISTER_ACTIVITIES}),
        )
    )
    holders = []
    for name in ("Dr. Jansen", "Dr. Peters"):
        holder = xs.access.create_user(
            CreateUser(
                actor=admin,
                name=name,
                email=f"{name.split()[-1].lower()}@arbopartners.example",
                role_ids=frozenset({role}),
                scope=frozenset({UnitRef(UnitKind.EMPLOYER, customer.id)}),
            )
        )
        svc.set_contract_settings(
            SetContractSettings(
                actor=admin,
                user_id=holder,
                valid_from=_dt.date(2026, 1, 1),
                reimbursed_via_supplier=True,
                supplier_id=supplier,
                contract_model_id=model,
            )
        )
        holders.append(holder)
    activities = [
        xs.agenda.register_activity(
            RegisterActivity(
                actor=holder, employee_id=employee, activity_type=kind, performed_on=day
            )
        ).id
        for holder, kind, day in (
            (holders[0], "Spreekuur bedrijfsarts", _dt.date(2026, 4, 7)),
            (holders[0], "Telefonisch consult", _dt.date(2026, 4, 21)),
            (holders[1], "Spreekuur bedrijfsarts", _dt.date(2026, 5, 12)),
        )
    ]
    # billed over April and May (the billing demo's customer is billed per quarter)
    quarter = DateRange(_dt.date(2026, 4, 6), _dt.date(2026, 6, 1))
    summary = xs.billing.run(
        RunBilling(actor=admin, period=quarter, employer_ids=frozenset({customer.id}))
    )
    offered = 0
    for basis in summary.invoice_bases:
        xs.billing.make_final(MakeInvoiceBasisFinal(actor=admin, basis_id=basis))
        offered += xs.billing.mark_sent(MarkInvoiceSent(actor=admin, basis_id=basis))
    console.print(
        f"R5.5 Factuurgrondslag {quarter.display_nl()} definitief en verzonden: {offered} "
        "verrichtingen aangeboden"
    )

    def generate() -> ReimbursementBatch:
        return svc.generate(
            GenerateReimbursementBatch(
                actor=admin,
                supplier_id=supplier,
                contract_model_id=model,
                reference_date=_dt.date(2026, 6, 30),
            )
        )

    first = generate()
    svc.decide(
        DecideReimbursementLines(
            actor=admin,
            batch_id=first.id,
            activity_ids=frozenset({activities[2]}),
            decision=LineDecision.POSTPONE,
        )
    )
    first = svc.finalise(FinaliseReimbursementBatch(actor=admin, batch_id=first.id))
    table = Table(title="R5.5 Vergoedingsbatch ARBOP t/m 30-06-2026 (definitief)")
    for column in ("Datum", "Verrichting", "Keuze", "Bedrag"):
        table.add_column(column)
    for line in svc.lines(ReimbursementBatchLines(actor=admin, batch_id=first.id)):
        table.add_row(
            line.performed_on.isoformat(),
            line.activity_type,
            line.decision.value,
            line.amount.display_nl(),
        )
    console.print(table)
    document = svc.export_sepa(
        ExportSepaTransfer(
            actor=admin,
            batch_id=first.id,
            paying_account=PayingAccount(name="Arbodienst Demo", iban="NL44 RABO 0123 4567 89"),
            execution_date=_dt.date(2026, 7, 1),
        )
    )
    import xmlschema

    xmlschema.XMLSchema(schema_path()).validate(document.decode("utf-8"))
    console.print(
        f"R5.5 SEPA-overboeking (pain.001.001.03, gevalideerd tegen de XSD): "
        f"{first.counts.total.display_nl()} aan {found.iban.formatted}"
    )
    second = svc.finalise(FinaliseReimbursementBatch(actor=admin, batch_id=generate().id))
    console.print(
        f"R5.5 Volgende batch: {second.counts.lines} uitgestelde regel terug, "
        f"{second.counts.total.display_nl()}; daarna: {generate().counts.lines} regels"
    )
