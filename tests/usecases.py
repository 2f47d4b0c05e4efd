"""Every use case of every service, as a table (R0.6, R0.7).

The services are the attributes of :class:`~xs_app.Xs` that are :class:`Service` instances; their
use cases are their public methods, found by introspection (:func:`use_cases`). :data:`TABLE`
says, per use case, which feature authorisations grant it, whether it is a query or a command,
and how to build a valid command from a prepared :class:`World` — two employers, A and B, each
with an entity of every kind (a :class:`Side`). The authorisation and event tests run the table;
a public method without an entry fails them.

A builder names the scoped entities it uses through the side it is given (``s.employee``); the
tests record which names a builder reads, and swap each for B's entity or an unknown id in turn.
Entities without a scope (protocols, locations, availabilities, contract models) live on the
world itself.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import io
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, Literal

import attrs
import pendulum
import sqlalchemy as sa

from tests.apps import user_with
from xs_adapters.sql.tables import metadata
from xs_app import Xs
from xs_app.services.access import (
    CreateRole,
    CreateUser,
    FindUser,
    GetPrincipal,
    Grant,
    ListRoles,
)
from xs_app.services.agenda import (
    ChangeLocationMaximum,
    CompleteAppointment,
    CreateLocation,
    MoveAvailability,
    PlanAppointment,
    PlanAvailability,
    PlanSeries,
    RegisterActivity,
    ReleasedActivities,
    RemoveAppointment,
    RemoveAvailability,
    RequestAppointment,
)
from xs_app.services.api import (
    CreateEmployerUser,
    DisableApiClient,
    GetEmployerUser,
    ListApiClients,
    ListEmployerUsers,
    RegisterApiClient,
)
from xs_app.services.base import Service
from xs_app.services.billing import (
    ConcludeAgreement,
    CreateContractModel,
    DeviationChoices,
    DiscardInvoiceBasis,
    EndSubscription,
    ExportInvoiceBasis,
    GetInvoiceBasis,
    InvoiceLines,
    ListContractModels,
    ListInvoiceBases,
    MakeInvoiceBasisFinal,
    MarkInvoiceSent,
    RunBilling,
    SetDeviatingFrequency,
    Subscribe,
    SubscriptionSchedule,
)
from xs_app.services.command import Command
from xs_app.services.configuration import GetParameterHistory, ListParameters, SetParameter
from xs_app.services.employments import (
    ActionLinks,
    ChangeEmployment,
    EndEmployment,
    FindDossiers,
    LeadingEmploymentOn,
    OpenActionLink,
)
from xs_app.services.mail import (
    ListMailTemplates,
    PreviewMailTemplate,
    RemoveMailTemplate,
    SetMailTemplate,
)
from xs_app.services.messaging import (
    AddMediaFile,
    AddTrajectoryDocument,
    GetDialog,
    ListAttachable,
    ListDialogs,
    ReadDocument,
    SendMessage,
    StartDialog,
    Upload,
    UploadDocument,
)
from xs_app.services.organisation import (
    AddContactPerson,
    AddEmployment,
    AdvancedSearch,
    ChangeBranch,
    ChangeContactPerson,
    ChangeDepartment,
    ChangeEmployee,
    ChangeEmployer,
    CreateBranch,
    CreateDepartment,
    CreateEmployer,
    CreateFolder,
    EmployerByCode,
    EmploymentTerms,
    GetContactPersonWidget,
    GetEmployee,
    GetEmployer,
    ListDepartments,
    MoveContactPerson,
    OpenDossier,
    RegisterEmployee,
    RemoveContactPerson,
    RenameFolder,
    SearchBranches,
    SetLeadingEmployment,
    SetVatNumber,
)
from xs_app.services.passwords import IssuePasswordToken, SetLanguage, SetPassword
from xs_app.services.policies import (
    ClearPolicyOverride,
    CreateInsuranceProduct,
    CreateInsurer,
    CreatePolicy,
    GetParticipants,
    GetParticipantTimeline,
    GetPolicyConditions,
    GetProductConditions,
    ListInsuranceProducts,
    ListInsurers,
    ListPolicies,
    RegisterParticipation,
    RemoveRegistration,
    SetPolicyOverrides,
    SetProductConditions,
)
from xs_app.services.policy_evaluation import (
    EvaluatePolicies,
    GetPolicyEvaluation,
    RunEvaluationChunk,
)
from xs_app.services.protocols import (
    BulkStart,
    ChangeProtocolCharacteristics,
    CloseTrajectory,
    CreateProtocol,
    GetProtocol,
    GetTrajectory,
    ListProtocols,
    ProposeBulkStart,
    ReportRecovery,
    ReportSickness,
    StartTrajectory,
    TrajectoriesOf,
)
from xs_app.services.reimbursements import (
    ChangeRelation,
    CreateRelation,
    DecideReimbursementLines,
    DiscardReimbursementBatch,
    ExportReimbursementBatch,
    ExportSepaTransfer,
    FinaliseReimbursementBatch,
    GenerateReimbursementBatch,
    GetContractSettings,
    GetReimbursementBatch,
    GetRelation,
    ListReimbursementBatches,
    ListRelations,
    PayingAccount,
    RegenerateReimbursementBatch,
    ReimbursementBatchLines,
    RelationDetails,
    SetContractSettings,
    SetRelationActive,
)
from xs_app.services.reports import (
    AbsenceReport,
    FindReportUnit,
    RecordWiaOutflow,
    RegisterWiaClaim,
    WiaWorkFile,
)
from xs_core.access.features import ALL_FEATURES, Feature
from xs_core.access.model import RoleKind
from xs_core.access.passwords import TokenPurpose
from xs_core.agenda.model import ActivityStatus
from xs_core.billing import BillingFrequency, ContractKind, ContractModelType, Payer, PriceCategory
from xs_core.dates import DateRange
from xs_core.mail.model import TemplateEvent
from xs_core.money import Money
from xs_core.organisation.model import EndReason
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionName,
    ConditionOverrides,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.policies.model import ProductKind
from xs_core.protocols.action_links import ActionLink, Placement
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolKind, TaskTemplate
from xs_core.reimbursements import LineDecision, RelationKind
from xs_core.reports.wia import OutflowReason, WiaBenefit
from xs_core.settings import Parameter

D = _dt.date
NIL = uuid.UUID(int=0)


def at(day: int, hour: int, minute: int = 0) -> pendulum.DateTime:
    """An instant in December 2026, Amsterdam time."""
    return pendulum.datetime(2026, 12, day, hour, minute, tz="Europe/Amsterdam")


# -- the sides of the world -----------------------------------------------------------------------


class Side:
    """The scoped entities of one employer (or unknown ids of the same kinds), by name.

    Reading a name records it in :attr:`read`, so that the tests learn which entities a
    builder's command names."""

    def __init__(self, label: str, values: dict[str, Any]) -> None:
        self._label = label
        self._values = values
        self.read: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            value = self._values[name]
        except KeyError:
            raise AttributeError(f"side {self._label} has no {name!r}") from None
        if name not in self.read:
            self.read.append(name)
        return value

    def values(self) -> dict[str, Any]:
        return dict(self._values)

    def ids(self) -> set[str]:
        """Every entity id of this side, as text."""
        return {str(v) for v in self._values.values() if isinstance(v, uuid.UUID)}

    def unknown(self) -> Side:
        """A side of the same names holding ids (codes, e-mail addresses) that do not exist."""

        def fresh(value: Any) -> Any:
            if isinstance(value, uuid.UUID):
                return uuid.uuid4()
            if isinstance(value, str) and "@" in value:
                return f"onbekend-{uuid.uuid4().hex[:8]}@example.nl"
            return f"ONB{uuid.uuid4().hex[:6].upper()}"

        return Side("unknown", {k: fresh(v) for k, v in self._values.items()})

    def mixed(self, other: Side, names: Iterable[str]) -> Side:
        """This side with ``names`` taken from ``other``."""
        values = self.values()
        for name in names:
            values[name] = other._values[name]
        return Side(f"{self._label}+{other._label}:{','.join(names)}", values)


@attrs.frozen
class Reimbursements:
    """The unscoped entities of reimbursements (R5.2–R5.5): a supplier and an inactive referrer, a
    reimbursement contract model, two contract holders with an offered activity each; a final
    batch paying the first one's, a draft holding the second one's, and two empty drafts."""

    supplier: uuid.UUID
    referrer: uuid.UUID
    model: uuid.UUID
    holder: uuid.UUID
    holder2: uuid.UUID
    activity: uuid.UUID  # the second holder's, on ``batch``
    batch: uuid.UUID
    discard_batch: uuid.UUID
    finalise_batch: uuid.UUID
    final_batch: uuid.UUID


@attrs.define
class World:
    """Two employers (A and B, each in a folder of its own) with an entity of every kind, the
    unscoped entities, and the users the tests act as (made on demand)."""

    xs: Xs
    admin: uuid.UUID
    sides: dict[str, dict[str, Any]]
    pmo: uuid.UUID  # trajectories of the world
    pmo2: uuid.UUID  # for starting a trajectory
    pmo3: uuid.UUID  # for bulk starts
    sickness: uuid.UUID
    sickness2: uuid.UUID
    location: uuid.UUID
    availability: uuid.UUID  # holds the world's appointments
    movable: uuid.UUID
    removable: uuid.UUID
    model: uuid.UUID
    model2: uuid.UUID  # prices nothing: a second agreement of a customer on it never clashes
    insurer: uuid.UUID
    product: uuid.UUID  # the salary condition on (R6.2 (3)); each side's policy overrides it
    reimbursement: Reimbursements
    actors: dict[tuple[frozenset[Feature], str], uuid.UUID] = attrs.field(factory=dict)

    @property
    def a(self) -> Side:
        return Side("A", self.sides["A"])

    @property
    def b(self) -> Side:
        return Side("B", self.sides["B"])

    def scope(self, kind: str) -> frozenset[UnitRef]:
        if kind == "folder":
            return frozenset({UnitRef(UnitKind.FOLDER, self.sides["A"]["folder"])})
        if kind == "department":
            return frozenset({UnitRef(UnitKind.DEPARTMENT, self.sides["A"]["department"])})
        return frozenset({UnitRef(UnitKind.EMPLOYER, self.sides["A"]["employer"])})

    def actor(self, features: Iterable[Feature], scope: str = "employer") -> uuid.UUID:
        """A user holding exactly ``features`` (through one role), scoped to A's employer (or
        A's folder, or A's first department); ``scope="everything"`` is a super administrator."""
        key = (frozenset(features), scope)
        if key not in self.actors:
            n = len(self.actors)
            if scope == "everything":
                self.actors[key] = self.xs.installation.create_super_administrator(
                    f"Beheerder {n}", f"beheerder-{n}@example.nl"
                )
            else:
                self.actors[key] = user_with(
                    self.xs, self.admin, f"actor-{n}@example.nl", key[0], self.scope(scope)
                )
        return self.actors[key]


def _file(name: str) -> Upload:
    return Upload(file_name=f"{name}.txt", content_type="text/plain", content=name.encode())


#: The employer role (R7.1) of the world.
EMPLOYER_ROLE = "Werkgeversrol"


def make_world(xs: Xs) -> World:
    """Everything made by a super administrator; ids by name per side."""
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    xs.access.create_role(
        CreateRole(
            actor=admin,
            name=EMPLOYER_ROLE,
            features=frozenset({Feature.VIEW_ORGANISATION}),
            kind=RoleKind.EMPLOYER,
        )
    )
    org, agenda, billing = xs.organisation, xs.agenda, xs.billing

    def protocol(name: str, kind: ProtocolKind, bulk: bool = False) -> uuid.UUID:
        return xs.protocols.create_protocol(
            CreateProtocol(
                actor=admin,
                name=name,
                kind=kind,
                task_templates=(TaskTemplate(code="VRAGENLIJST", title="Vragenlijst"),),
                characteristics=ProtocolCharacteristics(may_start_in_bulk=bulk),
            )
        )

    pmo, pmo2 = protocol("PMO", ProtocolKind.PMO), protocol("PMO 2", ProtocolKind.PMO)
    pmo3 = protocol("PMO bulk", ProtocolKind.PMO, bulk=True)
    sickness = protocol("Verzuim", ProtocolKind.SICKNESS)
    sickness2 = protocol("Verzuim 2", ProtocolKind.SICKNESS)
    location = agenda.create_location(CreateLocation(actor=admin, name="Spreekkamers"))

    def availability(day: int) -> uuid.UUID:
        return agenda.plan_availability(
            PlanAvailability(
                actor=admin,
                professional_id=admin,
                location_id=location,
                start=at(day, 9),
                end=at(day, 17),
            )
        )

    main, movable, removable = availability(1), availability(2), availability(3)
    model = billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Verkoopcontract jaar",
            kind=ContractKind.SALES,
            billing_frequency=BillingFrequency.YEARLY,
            active=DateRange(D(2025, 1, 1)),
            price_categories=(PriceCategory(activity_type="Spreekuur", price=Money("95.50")),),
        )
    )
    model2 = billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Begeleiding",
            kind=ContractKind.GUIDANCE,
            billing_frequency=BillingFrequency.YEARLY,
            active=DateRange(D(2025, 1, 1)),
        )
    )
    # R2.6: an English custom template to remove
    xs.mail_templates.set_template(
        SetMailTemplate(
            actor=admin,
            event=TemplateEvent.PASSWORD_CHANGED,
            language="en",
            subject="Changed",
            text="Dear {{ user_name }}",
            html="<p>Dear {{ user_name }}</p>",
        )
    )
    # R6.1: conditions exist only while BusinessRules is 1
    xs.configuration.set_parameter(
        SetParameter(actor=admin, parameter=Parameter.BUSINESS_RULES, value=1)
    )
    insurer = xs.policies.create_insurer(CreateInsurer(actor=admin, name="Verzekeraar", code="VZK"))
    product = xs.policies.create_product(
        CreateInsuranceProduct(
            actor=admin, insurer_id=insurer, name="WIA-excedent", kind=ProductKind.WIA_EXCEDENT
        )
    )
    xs.policies.set_product_conditions(
        SetProductConditions(
            actor=admin,
            product_id=product,
            conditions=Conditions(salary=SalaryCondition(active=True)),
        )
    )
    sides: dict[str, dict[str, Any]] = {}
    for n, label in enumerate("AB"):
        s: dict[str, Any] = {}
        s["folder"] = org.create_folder(CreateFolder(actor=admin, name=f"Map {label}"))
        s["employer_code"] = f"WG{label}"
        s["employer"] = org.create_employer(
            CreateEmployer(
                actor=admin,
                name=f"Werkgever {label}",
                code=s["employer_code"],
                folder_id=s["folder"],
            )
        )
        s["department"] = org.create_department(
            CreateDepartment(actor=admin, employer_id=s["employer"], name="Productie")
        )
        s["department2"] = org.create_department(
            CreateDepartment(actor=admin, employer_id=s["employer"], name="Logistiek")
        )
        s["branch"] = org.create_branch(
            CreateBranch(actor=admin, employer_id=s["employer"], name="Vestiging Utrecht")
        )
        s["employee"] = org.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=f"Anna {label}",
                last_name="Jansen",
                birth_date=D(1960, 5, 5),
                employment=EmploymentTerms(
                    employer_id=s["employer"], department_id=s["department"], start=D(2020, 1, 1)
                ),
            )
        )
        s["employment"] = (
            org.employee(GetEmployee(actor=admin, employee_id=s["employee"])).employments[0].id
        )
        # R3.1: reported sick by the use case; the first employee is already sick (one absence at
        # a time per person)
        s["employee2"] = org.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=f"Bert {label}",
                last_name="Jansen",
                birth_date=D(1961, 6, 6),
                employment=EmploymentTerms(
                    employer_id=s["employer"], department_id=s["department"], start=D(2020, 1, 1)
                ),
            )
        )
        s["employment2"] = (
            org.employee(GetEmployee(actor=admin, employee_id=s["employee2"])).employments[0].id
        )
        s["wia_claim"] = xs.reports.register_wia_claim(
            RegisterWiaClaim(
                actor=admin,
                employee_id=s["employee"],
                employer_id=s["employer"],
                start=D(2025, 6, 1),
                benefit=WiaBenefit.WGA,
                monthly_wage=Decimal("2800.00"),
            )
        )
        s["dossier"] = org.open_dossier(
            OpenDossier(actor=admin, unit=UnitRef(UnitKind.EMPLOYEE, s["employee"]))
        )
        for key in ("contact_person", "contact_person2", "contact_person3"):
            s[key] = org.add_contact_person(
                AddContactPerson(actor=admin, employer_id=s["employer"], name=f"Contact {key}")
            )
        s["trajectory"] = xs.trajectories.start_trajectory(
            StartTrajectory(
                actor=admin, protocol_id=pmo, employee_id=s["employee"], start=D(2026, 1, 1)
            )
        )
        s["sick_trajectory"] = xs.trajectories.report_sickness(
            ReportSickness(
                actor=admin,
                protocol_id=sickness,
                employee_id=s["employee"],
                first_sick_day=D(2026, 10, 1),
            )
        ).id
        for key, hour in (("appointment", 9 + 2 * n), ("appointment_to_remove", 10 + 2 * n)):
            s[key] = agenda.plan_appointment(
                PlanAppointment(
                    actor=admin,
                    availability_id=main,
                    employee_id=s["employee"],
                    start=at(1, hour),
                    end=at(1, hour, 30),
                )
            )
        s["activity"] = agenda.register_activity(
            RegisterActivity(
                actor=admin,
                employee_id=s["employee"],
                activity_type="Spreekuur",
                performed_on=D(2026, 3, 2),
            )
        ).id
        s["agreement"] = billing.conclude_agreement(
            ConcludeAgreement(
                actor=admin,
                employer_id=s["employer"],
                contract_model_id=model,
                period=DateRange(D(2026, 1, 1)),
                service_variation="Plus",
                deviating_frequency=BillingFrequency.HALF_YEARLY,
            )
        )
        s["subscription"] = billing.subscribe(
            Subscribe(
                actor=admin,
                agreement_id=s["agreement"],
                description="Abonnement",
                amount=Money("1000.00"),
                period=DateRange(D(2026, 1, 1)),
            )
        )
        s["policy"] = xs.policies.create_policy(
            CreatePolicy(
                actor=admin,
                employer_id=s["employer"],
                product_id=product,
                number=f"POLIS-{label}",
                start=D(2026, 1, 1),
            )
        )
        xs.policies.set_policy_overrides(
            SetPolicyOverrides(
                actor=admin,
                policy_id=s["policy"],
                overrides=ConditionOverrides(salary=SalaryCondition(active=False)),
            )
        )
        # a policy that follows the product (salary on), and a run of it with a pending chunk
        s["evaluated_policy"] = xs.policies.create_policy(
            CreatePolicy(
                actor=admin,
                employer_id=s["employer"],
                product_id=product,
                number=f"POLIS-{label}-2",
                start=D(2026, 1, 1),
            )
        )
        # and one without an active condition (its override), which no other use case changes
        s["quiet_policy"] = xs.policies.create_policy(
            CreatePolicy(
                actor=admin,
                employer_id=s["employer"],
                product_id=product,
                number=f"POLIS-{label}-3",
                start=D(2026, 1, 1),
            )
        )
        xs.policies.set_policy_overrides(
            SetPolicyOverrides(
                actor=admin,
                policy_id=s["quiet_policy"],
                overrides=ConditionOverrides(
                    age=AgeCondition(),
                    sickness=SicknessCondition(),
                    salary=SalaryCondition(),
                    employment_type=EmploymentTypeCondition(),
                ),
            )
        )
        s["run"] = xs.policy_evaluation.start(
            EvaluatePolicies(actor=admin, on=D(2026, 5, 1), policy_id=s["evaluated_policy"])
        ).run_id
        s["registration"] = xs.policies.register_manually(
            RegisterParticipation(
                actor=admin,
                policy_id=s["policy"],
                employee_id=s["employee"],
                period=DateRange(D(2026, 2, 1), D(2026, 3, 1)),
                included=False,
            )
        )
        s["user_email"] = f"gebruiker-{label.lower()}@example.nl"
        s["user"] = user_with(
            xs,
            admin,
            s["user_email"],
            frozenset({Feature.VIEW_ORGANISATION}),
            frozenset({UnitRef(UnitKind.EMPLOYER, s["employer"])}),
        )
        # R7.1: an API client entitled to this employer
        s["api_client"] = xs.api_clients.register(
            RegisterApiClient(
                actor=admin,
                name=f"Koppeling {label}",
                employer_codes=frozenset({s["employer_code"]}),
            )
        ).client_id
        # R2.7: a document of each kind in the dossier, a dialog with a message
        messaging = xs.messaging
        s["uploaded_document"] = messaging.upload_document(
            UploadDocument(actor=admin, dossier_id=s["dossier"], file=_file(f"upload-{label}"))
        )
        s["trajectory_document"] = messaging.add_trajectory_document(
            AddTrajectoryDocument(
                actor=admin, trajectory_id=s["trajectory"], file=_file(f"traject-{label}")
            )
        )
        s["dialog"] = messaging.start_dialog(
            StartDialog(
                actor=admin,
                dossier_id=s["dossier"],
                subject="Re-integratie",
                participant_ids=frozenset({s["user"]}),
            )
        )
        sides[label] = s
    for key, first, last in (
        ("basis", D(2026, 1, 1), D(2026, 7, 1)),
        ("final_basis", D(2026, 7, 1), D(2027, 1, 1)),
        ("discard_basis", D(2027, 1, 1), D(2027, 7, 1)),
    ):
        summary = billing.run(RunBilling(actor=admin, period=DateRange(first, last)))
        for basis_id in summary.invoice_bases:
            basis = billing.invoice_basis(GetInvoiceBasis(actor=admin, basis_id=basis_id))
            label = "A" if basis.employer_id == sides["A"]["employer"] else "B"
            sides[label][key] = basis_id
        assert all(key in s for s in sides.values()), key
    for s in sides.values():
        billing.make_final(MakeInvoiceBasisFinal(actor=admin, basis_id=s["final_basis"]))
    reimbursement = _reimbursements(xs, admin, sides["A"])
    return World(
        xs=xs,
        admin=admin,
        sides=sides,
        pmo=pmo,
        pmo2=pmo2,
        pmo3=pmo3,
        sickness=sickness,
        sickness2=sickness2,
        location=location,
        availability=main,
        movable=movable,
        removable=removable,
        model=model,
        model2=model2,
        insurer=insurer,
        product=product,
        reimbursement=reimbursement,
    )


def _reimbursements(xs: Xs, admin: uuid.UUID, a: dict[str, Any]) -> Reimbursements:
    svc = xs.reimbursements
    model = xs.billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Vergoeding",
            kind=ContractKind.GUIDANCE,
            billing_frequency=BillingFrequency.MONTHLY,
            active=DateRange(D(2025, 1, 1)),
            model_type=ContractModelType.REIMBURSEMENT,
            price_categories=(
                PriceCategory(
                    activity_type="Spreekuur", price=Money("40.00"), payer=Payer.SUPPLIER
                ),
            ),
        )
    )
    supplier = svc.create_relation(
        CreateRelation(
            actor=admin,
            details=RelationDetails(name="Leverancier", code="LEV", iban="NL91ABNA0417164300"),
        )
    )
    referrer = svc.create_relation(
        CreateRelation(
            actor=admin,
            kind=RelationKind.REFERRER,
            details=RelationDetails(name="Aanmelder", code="AANM"),
        )
    )
    # an inactive referrer: the table activates it again
    svc.set_relation_active(SetRelationActive(actor=admin, relation_id=referrer, active=False))
    holders, activities = [], []
    for n in range(2):
        holder = user_with(
            xs,
            admin,
            f"contracthouder-{n}@example.nl",
            frozenset({Feature.REGISTER_ACTIVITIES}),
            frozenset({UnitRef(UnitKind.EMPLOYER, a["employer"])}),
        )
        svc.set_contract_settings(
            SetContractSettings(
                actor=admin,
                user_id=holder,
                valid_from=D(2025, 1, 1),
                reimbursed_via_supplier=True,
                supplier_id=supplier,
                contract_model_id=model,
            )
        )
        holders.append(holder)
        activities.append(
            xs.agenda.register_activity(
                RegisterActivity(
                    actor=holder,
                    employee_id=a["employee"],
                    activity_type="Spreekuur",
                    performed_on=D(2026, 2, 2),
                )
            )
        )
    with xs.unit_of_work() as uow:  # offered, as if their invoice had been sent (R5.1)
        for activity in activities:
            activity.status = ActivityStatus.OFFERED
        uow.activities.save_all(activities)
        uow.commit()

    def generate(holder: uuid.UUID) -> uuid.UUID:
        return svc.generate(
            GenerateReimbursementBatch(
                actor=admin,
                supplier_id=supplier,
                contract_model_id=model,
                reference_date=D(2026, 3, 1),
                user_ids=frozenset({holder}),
            )
        ).id

    final_batch = generate(holders[0])
    svc.finalise(FinaliseReimbursementBatch(actor=admin, batch_id=final_batch))
    return Reimbursements(
        supplier=supplier,
        referrer=referrer,
        model=model,
        holder=holders[0],
        holder2=holders[1],
        activity=activities[1].id,
        batch=generate(holders[1]),
        discard_batch=generate(holders[1]),
        finalise_batch=generate(holders[1]),
        final_batch=final_batch,
    )


# -- the table ------------------------------------------------------------------------------------

Build = Callable[[World, Side], Command]
_VIEW = (Feature.VIEW_ORGANISATION, Feature.MANAGE_ORGANISATION, Feature.MANAGE_EMPLOYMENTS)
_PROTOCOL_READERS = (
    Feature.MANAGE_PROTOCOLS,
    Feature.START_TRAJECTORIES,
    Feature.START_TRAJECTORIES_IN_BULK,
    Feature.CLOSE_TRAJECTORIES,
)


@attrs.frozen
class UseCase:
    """One row of the table.

    ``features``: any one of them grants the use case. ``scope``: the scope of the actor that
    succeeds — A's employer, A's folder, or everything (a super administrator). ``invalid``: a
    refused command for a use case that names no scoped entity (the event test's refusal; the
    others use unknown ids). ``invoke``: how to call it, when it takes more than the command.
    ``events``: the names of the events a command writes when it succeeds (R0.7).
    """

    features: tuple[Feature, ...]
    build: Build
    kind: Literal["query", "command"]
    scope: Literal["employer", "folder", "everything"] = "employer"
    invalid: Build | None = None
    events: tuple[str, ...] = ()
    invoke: Callable[[Any, Command], Any] | None = None

    @property
    def query(self) -> bool:
        return self.kind == "query"

    def without(self) -> frozenset[Feature]:
        """Every feature but those granting the use case."""
        return ALL_FEATURES - frozenset(self.features)


def _q(features: Feature | tuple[Feature, ...], build: Build, **kw: Any) -> UseCase:
    fs = features if isinstance(features, tuple) else (features,)
    return UseCase(fs, build, "query", **kw)


def _c(
    features: Feature | tuple[Feature, ...],
    build: Build,
    *,
    events: tuple[str, ...],
    **kw: Any,
) -> UseCase:
    fs = features if isinstance(features, tuple) else (features,)
    return UseCase(fs, build, "command", events=events, **kw)


def _export(service: Any, cmd: Command) -> Any:
    out = io.StringIO()
    count = service.export_csv(cmd, out)
    return (count, out.getvalue())


def _employer(s: Side) -> UnitRef:
    return UnitRef(UnitKind.EMPLOYER, s.employer)


F = Feature
_MO, _ME, _MC = F.MANAGE_ORGANISATION, F.MANAGE_EMPLOYMENTS, F.MANAGE_CONTRACTS
_PRODUCT_READERS = (F.MANAGE_INSURERS, F.SET_CONDITIONS, F.MANAGE_POLICIES)
_POLICY_READERS = (F.MANAGE_POLICIES, F.SET_CONDITIONS, F.REGISTER_PARTICIPANTS)
_PARTICIPANT_READERS = (F.MANAGE_POLICIES, F.REGISTER_PARTICIPANTS)
H2_2027 = DateRange(D(2027, 7, 1), D(2028, 1, 1))

TABLE: dict[str, UseCase] = {
    # organisation ----------------------------------------------------------------------------
    "organisation.create_folder": _c(
        _MO,
        lambda w, s: CreateFolder(actor=w.admin, name="Nieuwe map"),
        scope="everything",
        invalid=lambda w, s: CreateFolder(actor=w.admin, name=" "),
        events=("FolderCreated",),
    ),
    "organisation.rename_folder": _c(
        _MO,
        lambda w, s: RenameFolder(actor=w.admin, folder_id=s.folder, name="Hernoemd"),
        scope="folder",
        events=("FolderRenamed",),
    ),
    "organisation.create_employer": _c(
        _MO,
        lambda w, s: CreateEmployer(actor=w.admin, name="Nieuwe werkgever", folder_id=s.folder),
        scope="folder",
        events=("EmployerCreated",),
    ),
    "organisation.change_employer": _c(
        _MO,
        lambda w, s: ChangeEmployer(actor=w.admin, employer_id=s.employer, name="Gewijzigd"),
        events=("EmployerChanged",),
    ),
    "organisation.set_vat_number": _c(
        _MO,
        lambda w, s: SetVatNumber(
            actor=w.admin, employer_id=s.employer, vat_number="NL004495445B01"
        ),
        events=("EmployerVatNumberChanged",),
    ),
    "organisation.employer_by_code": _q(
        _VIEW, lambda w, s: EmployerByCode(actor=w.admin, code=s.employer_code)
    ),
    "organisation.employer": _q(
        _VIEW, lambda w, s: GetEmployer(actor=w.admin, employer_id=s.employer)
    ),
    "organisation.create_department": _c(
        _MO,
        lambda w, s: CreateDepartment(
            actor=w.admin, employer_id=s.employer, name="Inkoop", parent_id=s.department
        ),
        events=("DepartmentCreated",),
    ),
    "organisation.change_department": _c(
        _MO,
        lambda w, s: ChangeDepartment(
            actor=w.admin,
            department_id=s.department2,
            name="Logistiek en transport",
            move=True,
            parent_id=s.department,
        ),
        events=("DepartmentChanged", "DepartmentMoved"),
    ),
    "organisation.departments": _q(
        _VIEW, lambda w, s: ListDepartments(actor=w.admin, employer_id=s.employer)
    ),
    "organisation.create_branch": _c(
        _MO,
        lambda w, s: CreateBranch(actor=w.admin, employer_id=s.employer, name="Vestiging 2"),
        events=("BranchCreated",),
    ),
    "organisation.change_branch": _c(
        _MO,
        lambda w, s: ChangeBranch(actor=w.admin, branch_id=s.branch, name="Vestiging Zeist"),
        events=("BranchChanged",),
    ),
    "organisation.search_branches": _q(
        _VIEW, lambda w, s: SearchBranches(actor=w.admin, employer_id=s.employer, term="Utr")
    ),
    "organisation.register_employee": _c(
        _ME,
        lambda w, s: RegisterEmployee(
            actor=w.admin,
            first_name="Bram",
            last_name="Bakker",
            employment=EmploymentTerms(
                employer_id=s.employer, department_id=s.department, start=D(2026, 6, 1)
            ),
        ),
        events=("EmployeeRegistered", "EmploymentStarted"),
    ),
    "organisation.change_employee": _c(
        _ME,
        lambda w, s: ChangeEmployee(actor=w.admin, employee_id=s.employee, first_name="Ans"),
        events=("EmployeeChanged",),
    ),
    "organisation.add_employment": _c(
        _ME,
        lambda w, s: AddEmployment(
            actor=w.admin,
            employee_id=s.employee,
            terms=EmploymentTerms(employer_id=s.employer, start=D(2026, 6, 1)),
        ),
        events=("EmploymentStarted",),
    ),
    "organisation.set_leading_employment": _c(
        _ME,
        lambda w, s: SetLeadingEmployment(
            actor=w.admin, employee_id=s.employee, employment_id=s.employment
        ),
        events=("LeadingEmploymentChanged",),
    ),
    "organisation.employee": _q(
        _VIEW, lambda w, s: GetEmployee(actor=w.admin, employee_id=s.employee)
    ),
    "organisation.open_dossier": _c(
        _MO,
        lambda w, s: OpenDossier(actor=w.admin, unit=UnitRef(UnitKind.DEPARTMENT, s.department)),
        events=("DossierOpened",),
    ),
    "organisation.add_contact_person": _c(
        F.MANAGE_CONTACT_PERSONS,
        lambda w, s: AddContactPerson(actor=w.admin, employer_id=s.employer, name="Nieuw"),
        events=("ContactPersonAdded",),
    ),
    "organisation.change_contact_person": _c(
        F.MANAGE_CONTACT_PERSONS,
        lambda w, s: ChangeContactPerson(
            actor=w.admin,
            employer_id=s.employer,
            contact_person_id=s.contact_person,
            name="Gewijzigd",
        ),
        events=("ContactPersonChanged",),
    ),
    "organisation.remove_contact_person": _c(
        F.MANAGE_CONTACT_PERSONS,
        lambda w, s: RemoveContactPerson(
            actor=w.admin, employer_id=s.employer, contact_person_id=s.contact_person2
        ),
        events=("ContactPersonRemoved",),
    ),
    "organisation.move_contact_person": _c(
        F.MANAGE_CONTACT_PERSONS,
        lambda w, s: MoveContactPerson(
            actor=w.admin, employer_id=s.employer, contact_person_id=s.contact_person3, position=0
        ),
        events=("ContactPersonMoved",),
    ),
    "organisation.contact_person_widget": _q(
        _VIEW, lambda w, s: GetContactPersonWidget(actor=w.admin, employer_id=s.employer)
    ),
    "organisation.search": _q(_VIEW, lambda w, s: AdvancedSearch(actor=w.admin, term="Jansen")),
    # access ----------------------------------------------------------------------------------
    "access.create_role": _c(
        F.MANAGE_ROLES,
        lambda w, s: CreateRole(
            actor=w.admin, name="Rollenbeheer", features=frozenset({F.MANAGE_ROLES})
        ),
        invalid=lambda w, s: CreateRole(actor=w.admin, name="", features=frozenset()),
        events=("RoleCreated",),
    ),
    "access.create_user": _c(
        F.MANAGE_USERS,
        lambda w, s: CreateUser(
            actor=w.admin, name="Nieuw", email="nieuw@example.nl", scope=frozenset({_employer(s)})
        ),
        events=("UserCreated",),
    ),
    "access.grant": _c(
        F.MANAGE_USERS,
        lambda w, s: Grant(
            actor=w.admin,
            user_id=s.user,
            units=frozenset({UnitRef(UnitKind.DEPARTMENT, s.department)}),
        ),
        events=("UserAuthorisationGranted",),
    ),
    "access.principal": _q(
        F.MANAGE_USERS, lambda w, s: GetPrincipal(actor=w.admin, user_id=s.user)
    ),
    "access.find_user": _q(
        F.MANAGE_USERS, lambda w, s: FindUser(actor=w.admin, email=s.user_email)
    ),
    "access.roles": _q((F.MANAGE_USERS, F.MANAGE_ROLES), lambda w, s: ListRoles(actor=w.admin)),
    # the external API (R7.1) -----------------------------------------------------------------
    "api_clients.register": _c(
        F.MANAGE_USERS,
        lambda w, s: RegisterApiClient(
            actor=w.admin, name="Nieuwe koppeling", employer_codes=frozenset({s.employer_code})
        ),
        scope="everything",
        invalid=lambda w, s: RegisterApiClient(
            actor=w.admin, name="", employer_codes=frozenset({s.employer_code})
        ),
        events=("RoleCreated", "UserCreated", "ApiClientRegistered"),
    ),
    "api_clients.disable": _c(
        F.MANAGE_USERS,
        lambda w, s: DisableApiClient(actor=w.admin, client_id=s.api_client),
        events=("ApiClientDisabled",),
    ),
    "api_clients.clients": _q(F.MANAGE_USERS, lambda w, s: ListApiClients(actor=w.admin)),
    "employer_users.create_employer_user": _c(
        F.API_CREATE_EMPLOYER_USER,
        lambda w, s: CreateEmployerUser(
            actor=w.admin,
            employer_code=s.employer_code,
            name="Werkgever",
            email="werkgever@example.nl",
            role=EMPLOYER_ROLE,
        ),
        events=("UserCreated", "EmployerUserInvited"),
    ),
    "employer_users.employer_users": _q(
        F.API_CREATE_EMPLOYER_USER,
        lambda w, s: ListEmployerUsers(actor=w.admin, employer_code=s.employer_code),
    ),
    "employer_users.employer_user": _q(
        F.API_CREATE_EMPLOYER_USER, lambda w, s: GetEmployerUser(actor=w.admin, user_id=s.user)
    ),
    # documents and secure messaging (R2.7) ---------------------------------------------------
    "messaging.upload_document": _c(
        F.UPLOAD_DOCUMENTS,
        lambda w, s: UploadDocument(actor=w.admin, dossier_id=s.dossier, file=_file("nieuw")),
        events=("DocumentAdded",),
    ),
    "messaging.add_trajectory_document": _c(
        F.UPLOAD_DOCUMENTS,
        lambda w, s: AddTrajectoryDocument(
            actor=w.admin, trajectory_id=s.trajectory, file=_file("traject")
        ),
        events=("DocumentAdded",),
    ),
    "messaging.add_media_file": _c(
        F.MANAGE_MEDIA_LIBRARY,
        lambda w, s: AddMediaFile(actor=w.admin, file=_file("folder")),
        scope="everything",
        invalid=lambda w, s: AddMediaFile(
            actor=w.admin,
            file=Upload(file_name="../x", content_type="text/plain", content=b"x"),
        ),
        events=("DocumentAdded",),
    ),
    "messaging.attachable": _q(
        F.USE_SECURE_MESSAGING, lambda w, s: ListAttachable(actor=w.admin, dossier_id=s.dossier)
    ),
    "messaging.read_document": _q(
        (F.USE_SECURE_MESSAGING, F.UPLOAD_DOCUMENTS),
        lambda w, s: ReadDocument(actor=w.admin, document_id=s.uploaded_document),
    ),
    "messaging.start_dialog": _c(
        F.USE_SECURE_MESSAGING,
        lambda w, s: StartDialog(
            actor=w.admin,
            dossier_id=s.dossier,
            subject="Verzuim",
            participant_ids=frozenset({s.user}),
        ),
        events=("DialogStarted",),
    ),
    "messaging.send_message": _c(
        F.USE_SECURE_MESSAGING,
        lambda w, s: SendMessage(
            actor=w.admin,
            dialog_id=s.dialog,
            body="Zie bijlage",
            attachment_ids=(s.uploaded_document, s.trajectory_document),
            uploads=(_file("lokaal"),),
        ),
        events=("DocumentAdded", "MessageSent"),
    ),
    "messaging.dialog": _q(
        F.USE_SECURE_MESSAGING, lambda w, s: GetDialog(actor=w.admin, dialog_id=s.dialog)
    ),
    "messaging.dialogs": _q(
        F.USE_SECURE_MESSAGING, lambda w, s: ListDialogs(actor=w.admin, dossier_id=s.dossier)
    ),
    # passwords and mail templates (R2.6) ------------------------------------------------------
    "passwords.issue_token": _c(
        F.MANAGE_USERS,
        lambda w, s: IssuePasswordToken(actor=w.admin, user_id=s.user, purpose=TokenPurpose.RESET),
        events=("PasswordTokenIssued",),
    ),
    "passwords.set_password": _c(
        F.MANAGE_USERS,
        lambda w, s: SetPassword(actor=w.admin, user_id=s.user, password="zeven zeeën zonder zout"),
        events=("PasswordChanged",),
    ),
    "passwords.set_language": _c(
        F.MANAGE_USERS,
        lambda w, s: SetLanguage(actor=w.admin, user_id=s.user, language="en"),
        events=("UserLanguageChanged",),
    ),
    "mail_templates.templates": _q(
        F.MANAGE_MAIL_TEMPLATES, lambda w, s: ListMailTemplates(actor=w.admin)
    ),
    "mail_templates.preview": _q(
        F.MANAGE_MAIL_TEMPLATES,
        lambda w, s: PreviewMailTemplate(
            actor=w.admin, event=TemplateEvent.PASSWORD_CHANGED, language="nl"
        ),
    ),
    "mail_templates.set_template": _c(
        F.MANAGE_MAIL_TEMPLATES,
        lambda w, s: SetMailTemplate(
            actor=w.admin,
            event=TemplateEvent.PASSWORD_CHANGED,
            language="nl",
            subject="Gewijzigd",
            text="Beste {{ user_name }}",
            html="<p>Beste {{ user_name }}</p>",
        ),
        scope="everything",
        invalid=lambda w, s: SetMailTemplate(
            actor=w.admin,
            event=TemplateEvent.PASSWORD_CHANGED,
            language="nl",
            subject="Gewijzigd",
            text="{{ ''.__class__ }}",
            html="<p>x</p>",
        ),
        events=("MailTemplateSaved",),
    ),
    "mail_templates.remove_template": _c(
        F.MANAGE_MAIL_TEMPLATES,
        lambda w, s: RemoveMailTemplate(
            actor=w.admin, event=TemplateEvent.PASSWORD_CHANGED, language="en"
        ),
        scope="everything",
        invalid=lambda w, s: RemoveMailTemplate(
            actor=w.admin, event=TemplateEvent.PASSWORD_CHANGED, language="de"
        ),
        events=("MailTemplateRemoved",),
    ),
    # protocols -------------------------------------------------------------------------------
    "protocols.create_protocol": _c(
        F.MANAGE_PROTOCOLS,
        lambda w, s: CreateProtocol(actor=w.admin, name="Nieuw", kind=ProtocolKind.OTHER),
        invalid=lambda w, s: CreateProtocol(actor=w.admin, name="", kind=ProtocolKind.OTHER),
        events=("ProtocolCreated",),
    ),
    "protocols.change_characteristics": _c(
        F.MANAGE_PROTOCOLS,
        lambda w, s: ChangeProtocolCharacteristics(
            actor=w.admin,
            protocol_id=w.pmo2,
            characteristics=ProtocolCharacteristics(end_date_may_be_in_future=True),
        ),
        invalid=lambda w, s: ChangeProtocolCharacteristics(
            actor=w.admin, protocol_id=uuid.uuid4(), characteristics=ProtocolCharacteristics()
        ),
        events=("ProtocolCharacteristicsChanged",),
    ),
    "protocols.protocol": _q(
        _PROTOCOL_READERS, lambda w, s: GetProtocol(actor=w.admin, protocol_id=w.pmo)
    ),
    "protocols.protocols": _q(_PROTOCOL_READERS, lambda w, s: ListProtocols(actor=w.admin)),
    # trajectories ----------------------------------------------------------------------------
    "trajectories.start_trajectory": _c(
        F.START_TRAJECTORIES,
        lambda w, s: StartTrajectory(
            actor=w.admin, protocol_id=w.pmo2, employee_id=s.employee, start=D(2026, 11, 1)
        ),
        events=("TrajectoryStarted",),
    ),
    "trajectories.report_sickness": _c(
        F.START_TRAJECTORIES,
        lambda w, s: ReportSickness(
            actor=w.admin,
            protocol_id=w.sickness2,
            employee_id=s.employee2,
            first_sick_day=D(2026, 11, 2),
            employment_id=s.employment2,
        ),
        events=("TrajectoryStarted",),
    ),
    "trajectories.report_recovery": _c(
        F.START_TRAJECTORIES,
        lambda w, s: ReportRecovery(
            actor=w.admin, trajectory_id=s.sick_trajectory, date=D(2026, 11, 15)
        ),
        events=("RecoveryReported",),
    ),
    "trajectories.close_trajectory": _c(
        F.CLOSE_TRAJECTORIES,
        lambda w, s: CloseTrajectory(
            actor=w.admin, trajectory_id=s.trajectory, end_date=D(2026, 11, 28)
        ),
        events=("TrajectoryClosed",),
    ),
    "trajectories.trajectory": _q(
        _VIEW, lambda w, s: GetTrajectory(actor=w.admin, trajectory_id=s.trajectory)
    ),
    "trajectories.trajectories_of": _q(
        _VIEW, lambda w, s: TrajectoriesOf(actor=w.admin, employee_id=s.employee)
    ),
    # bulk start ------------------------------------------------------------------------------
    "bulk_start.propose": _q(
        F.START_TRAJECTORIES_IN_BULK,
        lambda w, s: ProposeBulkStart(
            actor=w.admin,
            protocol_id=w.pmo3,
            unit=BulkUnit(employer_ids=frozenset({s.employer})),
            start=D(2026, 12, 1),
        ),
    ),
    "bulk_start.start": _c(
        F.START_TRAJECTORIES_IN_BULK,
        lambda w, s: BulkStart(
            actor=w.admin,
            request=BulkStartRequest(
                request_id=uuid.uuid4(),
                protocol_id=w.pmo3,
                unit=BulkUnit(employer_ids=frozenset({s.employer})),
                start=D(2026, 12, 1),
                end_date=D(2027, 5, 31),
            ),
        ),
        invalid=lambda w, s: BulkStart(
            actor=w.admin,
            request=BulkStartRequest(
                request_id=uuid.uuid4(),
                protocol_id=w.pmo3,
                unit=BulkUnit(employer_ids=frozenset({s.employer})),
                start=D(2026, 12, 1),
            ),
        ),
        events=("TrajectoriesStartedInBulk",),
    ),
    # employments and action links ------------------------------------------------------------
    "employments.end_employment": _c(
        _ME,
        lambda w, s: EndEmployment(
            actor=w.admin,
            employee_id=s.employee,
            employment_id=s.employment,
            end=D(2028, 1, 1),
            reason=EndReason.RESIGNATION,
        ),
        events=("EmploymentEnded",),
    ),
    "employments.change_employment": _c(
        _ME,
        lambda w, s: ChangeEmployment(
            actor=w.admin,
            employee_id=s.employee,
            employment_id=s.employment,
            effective=D(2026, 12, 1),
            department_id=s.department2,
            hours_per_week=Decimal(32),
        ),
        events=("EmploymentChanged",),
    ),
    "employments.leading_employment_on": _q(
        _VIEW,
        lambda w, s: LeadingEmploymentOn(actor=w.admin, employee_id=s.employee, day=D(2026, 6, 1)),
    ),
    "action_links.links": _q(
        (F.MANAGE_EMPLOYMENTS, F.START_TRAJECTORIES_IN_BULK, F.MANAGE_REIMBURSEMENT_BATCHES),
        lambda w, s: ActionLinks(actor=w.admin, placement=Placement.PORTAL_WIDGET),
    ),
    "action_links.find_dossiers": _q(
        _ME,
        lambda w, s: FindDossiers(
            actor=w.admin, link=ActionLink.UIT_DIENST_MELDEN_DOSSIER_SEARCH, term="Jansen"
        ),
    ),
    "action_links.open": _q(
        _ME,
        lambda w, s: OpenActionLink(
            actor=w.admin,
            link=ActionLink.UIT_DIENST_MELDEN,
            placement=Placement.DOSSIER_ACTION_LIST,
            dossier_id=s.dossier,
        ),
    ),
    # agenda ----------------------------------------------------------------------------------
    "agenda.create_location": _c(
        F.MANAGE_APPOINTMENT_LOCATIONS,
        lambda w, s: CreateLocation(actor=w.admin, name="Locatie 2", max_parallel=2),
        invalid=lambda w, s: CreateLocation(actor=w.admin, name=""),
        events=("LocationCreated",),
    ),
    "agenda.change_maximum": _c(
        F.MANAGE_APPOINTMENT_LOCATIONS,
        lambda w, s: ChangeLocationMaximum(actor=w.admin, location_id=w.location, max_parallel=5),
        invalid=lambda w, s: ChangeLocationMaximum(
            actor=w.admin, location_id=uuid.uuid4(), max_parallel=5
        ),
        events=("LocationMaximumChanged",),
    ),
    "agenda.request_appointment": _c(
        F.REQUEST_APPOINTMENTS,
        lambda w, s: RequestAppointment(
            actor=w.admin,
            employee_id=s.employee,
            purpose="Spreekuur",
            desired_period=DateRange(D(2026, 12, 7), D(2026, 12, 12)),
        ),
        events=("AppointmentRequested",),
    ),
    "agenda.plan_availability": _c(
        F.PLAN_AVAILABILITIES,
        lambda w, s: PlanAvailability(
            actor=w.admin,
            professional_id=w.admin,
            location_id=w.location,
            start=at(7, 9),
            end=at(7, 12),
        ),
        invalid=lambda w, s: PlanAvailability(
            actor=w.admin,
            professional_id=w.admin,
            location_id=uuid.uuid4(),
            start=at(7, 9),
            end=at(7, 12),
        ),
        events=("AvailabilityPlanned",),
    ),
    "agenda.plan_series": _c(
        F.PLAN_AVAILABILITIES,
        lambda w, s: PlanSeries(
            actor=w.admin,
            professional_id=w.admin,
            location_id=w.location,
            start=at(8, 9),
            end=at(8, 12),
            until=D(2026, 12, 30),
        ),
        invalid=lambda w, s: PlanSeries(
            actor=w.admin,
            professional_id=w.admin,
            location_id=w.location,
            start=at(8, 9),
            end=at(8, 12),
            until=D(2026, 12, 1),
        ),
        events=("AvailabilityPlanned",),
    ),
    "agenda.move_availability": _c(
        F.PLAN_AVAILABILITIES,
        lambda w, s: MoveAvailability(
            actor=w.admin,
            availability_id=w.movable,
            location_id=w.location,
            start=at(4, 9),
            end=at(4, 17),
        ),
        invalid=lambda w, s: MoveAvailability(
            actor=w.admin,
            availability_id=uuid.uuid4(),
            location_id=w.location,
            start=at(4, 9),
            end=at(4, 17),
        ),
        events=("AvailabilityMoved",),
    ),
    "agenda.remove_availability": _c(
        F.PLAN_AVAILABILITIES,
        lambda w, s: RemoveAvailability(actor=w.admin, availability_id=w.removable),
        invalid=lambda w, s: RemoveAvailability(actor=w.admin, availability_id=w.availability),
        events=("AvailabilityRemoved",),
    ),
    "agenda.plan_appointment": _c(
        F.PLAN_AVAILABILITIES,
        lambda w, s: PlanAppointment(
            actor=w.admin,
            availability_id=w.availability,
            employee_id=s.employee,
            start=at(1, 15),
            end=at(1, 15, 30),
        ),
        events=("AppointmentPlanned",),
    ),
    "agenda.complete_appointment": _c(
        F.REGISTER_ACTIVITIES,
        lambda w, s: CompleteAppointment(actor=w.admin, appointment_id=s.appointment),
        events=("AppointmentCompleted",),
    ),
    "agenda.remove_appointment": _c(
        F.PLAN_AVAILABILITIES,
        lambda w, s: RemoveAppointment(actor=w.admin, appointment_id=s.appointment_to_remove),
        events=("AppointmentRemoved",),
    ),
    "agenda.register_activity": _c(
        F.REGISTER_ACTIVITIES,
        lambda w, s: RegisterActivity(
            actor=w.admin,
            employee_id=s.employee,
            activity_type="Spreekuur",
            performed_on=D(2026, 12, 1),
            appointment_id=s.appointment,
        ),
        events=("ActivityRegistered",),
    ),
    "agenda.released_activities": _q(
        F.RUN_BILLING,
        lambda w, s: ReleasedActivities(actor=w.admin, period=DateRange(D(2026, 1, 1))),
    ),
    # billing ---------------------------------------------------------------------------------
    "billing.create_contract_model": _c(
        _MC,
        lambda w, s: CreateContractModel(
            actor=w.admin,
            name="Nieuw model",
            kind=ContractKind.SALES,
            billing_frequency=BillingFrequency.QUARTERLY,
            active=DateRange(D(2026, 1, 1)),
        ),
        invalid=lambda w, s: CreateContractModel(
            actor=w.admin,
            name="",
            kind=ContractKind.SALES,
            billing_frequency=BillingFrequency.QUARTERLY,
            active=DateRange(D(2026, 1, 1)),
        ),
        events=("ContractModelCreated",),
    ),
    "billing.contract_models": _q(_MC, lambda w, s: ListContractModels(actor=w.admin)),
    "billing.conclude_agreement": _c(
        _MC,
        lambda w, s: ConcludeAgreement(
            actor=w.admin,
            employer_id=s.employer,
            contract_model_id=w.model2,
            period=DateRange(D(2026, 1, 1)),
        ),
        events=("ServiceAgreementConcluded",),
    ),
    "billing.deviation_choices": _q(
        _MC, lambda w, s: DeviationChoices(actor=w.admin, agreement_id=s.agreement)
    ),
    "billing.set_deviating_frequency": _c(
        _MC,
        lambda w, s: SetDeviatingFrequency(
            actor=w.admin, agreement_id=s.agreement, frequency=BillingFrequency.QUARTERLY
        ),
        events=("ServiceAgreementBillingFrequencyChanged",),
    ),
    "billing.subscribe": _c(
        _MC,
        lambda w, s: Subscribe(
            actor=w.admin,
            agreement_id=s.agreement,
            description="Extra",
            amount=Money("100.00"),
            period=DateRange(D(2027, 1, 1)),
        ),
        events=("SubscriptionCreated",),
    ),
    "billing.end_subscription": _c(
        _MC,
        lambda w, s: EndSubscription(
            actor=w.admin, subscription_id=s.subscription, end=D(2028, 7, 1)
        ),
        events=("SubscriptionEndChanged",),
    ),
    "billing.schedule": _q(
        _MC,
        lambda w, s: SubscriptionSchedule(
            actor=w.admin,
            subscription_id=s.subscription,
            window=DateRange(D(2026, 1, 1), D(2027, 1, 1)),
        ),
    ),
    "billing.run": _c(
        F.RUN_BILLING,
        lambda w, s: RunBilling(
            actor=w.admin, period=H2_2027, employer_ids=frozenset({s.employer})
        ),
        events=("InvoiceBasisGenerated",),
    ),
    "billing.invoice_basis": _q(
        F.RUN_BILLING, lambda w, s: GetInvoiceBasis(actor=w.admin, basis_id=s.basis)
    ),
    "billing.invoice_bases": _q(F.RUN_BILLING, lambda w, s: ListInvoiceBases(actor=w.admin)),
    "billing.make_final": _c(
        F.RUN_BILLING,
        lambda w, s: MakeInvoiceBasisFinal(actor=w.admin, basis_id=s.basis),
        events=("InvoiceBasisMadeFinal",),
    ),
    "billing.mark_sent": _c(
        F.RUN_BILLING,
        lambda w, s: MarkInvoiceSent(actor=w.admin, basis_id=s.final_basis),
        events=("InvoiceSent",),
    ),
    "billing.discard": _c(
        F.RUN_BILLING,
        lambda w, s: DiscardInvoiceBasis(actor=w.admin, basis_id=s.discard_basis),
        events=("InvoiceBasisDiscarded",),
    ),
    "billing.lines": _q(F.RUN_BILLING, lambda w, s: InvoiceLines(actor=w.admin, basis_id=s.basis)),
    "billing.export_csv": _q(
        F.RUN_BILLING,
        lambda w, s: ExportInvoiceBasis(actor=w.admin, basis_id=s.basis),
        invoke=_export,
    ),
    # policy registration (R6) ---------------------------------------------------------------
    "policies.create_insurer": _c(
        F.MANAGE_INSURERS,
        lambda w, s: CreateInsurer(actor=w.admin, name="Nieuwe verzekeraar", code="NIEUW"),
        invalid=lambda w, s: CreateInsurer(actor=w.admin, name=" "),
        events=("InsurerCreated",),
    ),
    "policies.insurers": _q(_PRODUCT_READERS, lambda w, s: ListInsurers(actor=w.admin)),
    "policies.create_product": _c(
        F.MANAGE_INSURERS,
        lambda w, s: CreateInsuranceProduct(
            actor=w.admin, insurer_id=w.insurer, name="Pensioen", kind=ProductKind.PENSION
        ),
        invalid=lambda w, s: CreateInsuranceProduct(
            actor=w.admin, insurer_id=uuid.uuid4(), name="Pensioen", kind=ProductKind.PENSION
        ),
        events=("InsuranceProductCreated",),
    ),
    "policies.products": _q(
        _PRODUCT_READERS, lambda w, s: ListInsuranceProducts(actor=w.admin, insurer_id=w.insurer)
    ),
    "policies.set_product_conditions": _c(
        F.SET_CONDITIONS,
        lambda w, s: SetProductConditions(
            actor=w.admin,
            product_id=w.product,
            conditions=Conditions(age=AgeCondition(active=True, older_than=Age(66, 3))),
        ),
        invalid=lambda w, s: SetProductConditions(
            actor=w.admin, product_id=uuid.uuid4(), conditions=Conditions()
        ),
        events=("ConditionsChanged",),
    ),
    "policies.product_conditions": _q(
        (F.SET_CONDITIONS, F.MANAGE_INSURERS),
        lambda w, s: GetProductConditions(actor=w.admin, product_id=w.product),
    ),
    "policies.create_policy": _c(
        F.MANAGE_POLICIES,
        lambda w, s: CreatePolicy(
            actor=w.admin,
            employer_id=s.employer,
            product_id=w.product,
            number="POLIS-NIEUW",
            start=D(2026, 1, 1),
            end=D(2027, 1, 1),
        ),
        events=("PolicyCreated",),
    ),
    "policies.policies": _q(
        _POLICY_READERS, lambda w, s: ListPolicies(actor=w.admin, employer_id=s.employer)
    ),
    "policies.set_policy_overrides": _c(
        F.SET_CONDITIONS,
        lambda w, s: SetPolicyOverrides(
            actor=w.admin,
            policy_id=s.policy,
            overrides=ConditionOverrides(sickness=SicknessCondition(active=True)),
        ),
        events=("ConditionsChanged",),
    ),
    "policies.clear_policy_override": _c(
        F.SET_CONDITIONS,
        lambda w, s: ClearPolicyOverride(
            actor=w.admin, policy_id=s.policy, condition=ConditionName.SALARY
        ),
        events=("ConditionsChanged",),
    ),
    "policies.conditions": _q(
        (F.SET_CONDITIONS, F.MANAGE_POLICIES),
        lambda w, s: GetPolicyConditions(actor=w.admin, policy_id=s.policy),
    ),
    "policies.register_manually": _c(
        F.REGISTER_PARTICIPANTS,
        lambda w, s: RegisterParticipation(
            actor=w.admin,
            policy_id=s.policy,
            employee_id=s.employee,
            period=DateRange(D(2026, 4, 1), D(2026, 5, 1)),
            included=False,
            note="Op eigen verzoek",
        ),
        events=("ParticipationChanged",),
    ),
    "policies.remove_registration": _c(
        F.REGISTER_PARTICIPANTS,
        lambda w, s: RemoveRegistration(actor=w.admin, registration_id=s.registration),
        events=("RegistrationRemoved",),
    ),
    "policies.participants": _q(
        _PARTICIPANT_READERS, lambda w, s: GetParticipants(actor=w.admin, policy_id=s.policy)
    ),
    "policies.timeline": _q(
        _PARTICIPANT_READERS,
        lambda w, s: GetParticipantTimeline(
            actor=w.admin, policy_id=s.policy, employee_id=s.employee
        ),
    ),
    # the nightly evaluation (R6.6): the quiet policy has no active condition, so a run of it
    # has no chunks; the run of the evaluated policy has one ----------------------------------
    "policy_evaluation.start": _c(
        F.RUN_POLICY_EVALUATION,
        lambda w, s: EvaluatePolicies(actor=w.admin, on=D(2026, 6, 1), policy_id=s.quiet_policy),
        events=("PolicyEvaluationStarted", "PolicyEvaluationFinished"),
    ),
    "policy_evaluation.evaluate": _c(
        F.RUN_POLICY_EVALUATION,
        lambda w, s: EvaluatePolicies(actor=w.admin, on=D(2026, 7, 1), policy_id=s.quiet_policy),
        events=("PolicyEvaluationStarted", "PolicyEvaluationFinished"),
    ),
    "policy_evaluation.run_chunk": _c(
        F.RUN_POLICY_EVALUATION,
        lambda w, s: RunEvaluationChunk(actor=w.admin, run_id=s.run, chunk=0),
        events=("ParticipationChanged", "PolicyEvaluationFinished"),
    ),
    "policy_evaluation.status": _q(
        F.RUN_POLICY_EVALUATION, lambda w, s: GetPolicyEvaluation(actor=w.admin, run_id=s.run)
    ),
    "policy_evaluation.dry_run": _q(
        F.RUN_POLICY_EVALUATION,
        lambda w, s: EvaluatePolicies(
            actor=w.admin, on=D(2026, 5, 1), policy_id=s.evaluated_policy
        ),
    ),
    # reimbursements (R5.2–R5.5) --------------------------------------------------------------
    "reimbursements.create_relation": _c(
        F.MANAGE_SUPPLIERS,
        lambda w, s: CreateRelation(
            actor=w.admin,
            details=RelationDetails(
                name="Nieuwe leverancier",
                code="NIEUW",
                postcode="1234 AB",
                iban="DE89 3704 0044 0532 0130 00",
            ),
        ),
        invalid=lambda w, s: CreateRelation(
            actor=w.admin,
            details=RelationDetails(name="X", code="X", iban="NL00 ABNA 0417 1643 00"),
        ),
        events=("RelationCreated",),
    ),
    "reimbursements.change_relation": _c(
        F.MANAGE_SUPPLIERS,
        lambda w, s: ChangeRelation(
            actor=w.admin,
            relation_id=w.reimbursement.referrer,
            details=RelationDetails(name="Aanmelder BV", code="AANM", city="Ede"),
        ),
        invalid=lambda w, s: ChangeRelation(
            actor=w.admin, relation_id=uuid.uuid4(), details=RelationDetails(name="X", code="X")
        ),
        events=("RelationDetailsChanged",),
    ),
    "reimbursements.set_relation_active": _c(
        F.MANAGE_SUPPLIERS,
        lambda w, s: SetRelationActive(
            actor=w.admin, relation_id=w.reimbursement.referrer, active=True
        ),
        invalid=lambda w, s: SetRelationActive(
            actor=w.admin, relation_id=uuid.uuid4(), active=False
        ),
        events=("RelationActivated",),
    ),
    "reimbursements.relation": _q(
        F.MANAGE_SUPPLIERS,
        lambda w, s: GetRelation(actor=w.admin, relation_id=w.reimbursement.supplier),
    ),
    "reimbursements.relations": _q(
        F.MANAGE_SUPPLIERS, lambda w, s: ListRelations(actor=w.admin, term="lev")
    ),
    "reimbursements.set_contract_settings": _c(
        F.MANAGE_USERS,
        lambda w, s: SetContractSettings(
            actor=w.admin,
            user_id=w.reimbursement.holder,
            valid_from=D(2026, 12, 1),
            may_register_activities=False,
        ),
        invalid=lambda w, s: SetContractSettings(
            actor=w.admin, user_id=uuid.uuid4(), valid_from=D(2026, 12, 1)
        ),
        events=("UserContractSettingsChanged",),
    ),
    "reimbursements.contract_settings": _q(
        F.MANAGE_USERS,
        lambda w, s: GetContractSettings(actor=w.admin, user_id=w.reimbursement.holder),
    ),
    "reimbursements.generate": _c(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: GenerateReimbursementBatch(
            actor=w.admin,
            supplier_id=w.reimbursement.supplier,
            contract_model_id=w.reimbursement.model,
            reference_date=D(2026, 11, 1),
        ),
        invalid=lambda w, s: GenerateReimbursementBatch(
            actor=w.admin,
            supplier_id=w.reimbursement.supplier,
            contract_model_id=w.reimbursement.model,
            reference_date=D(2199, 1, 1),
        ),
        events=("ReimbursementBatchGenerated",),
    ),
    "reimbursements.regenerate": _c(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: RegenerateReimbursementBatch(actor=w.admin, batch_id=w.reimbursement.batch),
        invalid=lambda w, s: RegenerateReimbursementBatch(
            actor=w.admin, batch_id=w.reimbursement.final_batch
        ),
        events=("ReimbursementBatchRegenerated",),
    ),
    "reimbursements.decide": _c(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: DecideReimbursementLines(
            actor=w.admin,
            batch_id=w.reimbursement.batch,
            activity_ids=frozenset({w.reimbursement.activity}),
            decision=LineDecision.POSTPONE,
        ),
        invalid=lambda w, s: DecideReimbursementLines(
            actor=w.admin,
            batch_id=w.reimbursement.batch,
            activity_ids=frozenset({uuid.uuid4()}),
            decision=LineDecision.EXCLUDE,
        ),
        events=("ReimbursementLinesDecided",),
    ),
    "reimbursements.finalise": _c(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: FinaliseReimbursementBatch(
            actor=w.admin, batch_id=w.reimbursement.finalise_batch
        ),
        invalid=lambda w, s: FinaliseReimbursementBatch(
            actor=w.admin, batch_id=w.reimbursement.final_batch
        ),
        events=("ReimbursementBatchFinalised",),
    ),
    "reimbursements.discard": _c(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: DiscardReimbursementBatch(
            actor=w.admin, batch_id=w.reimbursement.discard_batch
        ),
        invalid=lambda w, s: DiscardReimbursementBatch(
            actor=w.admin, batch_id=w.reimbursement.final_batch
        ),
        events=("ReimbursementBatchDiscarded",),
    ),
    "reimbursements.batch": _q(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: GetReimbursementBatch(actor=w.admin, batch_id=w.reimbursement.batch),
    ),
    "reimbursements.batches": _q(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: ListReimbursementBatches(actor=w.admin, supplier_id=w.reimbursement.supplier),
    ),
    "reimbursements.lines": _q(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: ReimbursementBatchLines(actor=w.admin, batch_id=w.reimbursement.batch),
    ),
    "reimbursements.export_csv": _q(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: ExportReimbursementBatch(actor=w.admin, batch_id=w.reimbursement.final_batch),
        invoke=_export,
    ),
    "reimbursements.export_sepa": _q(
        F.MANAGE_REIMBURSEMENT_BATCHES,
        lambda w, s: ExportSepaTransfer(
            actor=w.admin,
            batch_id=w.reimbursement.final_batch,
            paying_account=PayingAccount(name="Arbodienst", iban="NL44 RABO 0123 4567 89"),
            execution_date=D(2026, 12, 1),
        ),
    ),
    # configuration parameters (R6.1) --------------------------------------------------------
    "configuration.set_parameter": _c(
        F.MANAGE_CONFIGURATION,
        lambda w, s: SetParameter(actor=w.admin, parameter=Parameter.BUSINESS_RULES, value=1),
        scope="everything",
        invalid=lambda w, s: SetParameter(
            actor=w.admin, parameter=Parameter.BUSINESS_RULES, value=2
        ),
        events=("ConfigurationParameterChanged",),
    ),
    "configuration.parameters": _q(
        F.MANAGE_CONFIGURATION, lambda w, s: ListParameters(actor=w.admin)
    ),
    "configuration.history": _q(
        F.MANAGE_CONFIGURATION,
        lambda w, s: GetParameterHistory(actor=w.admin, parameter=Parameter.BUSINESS_RULES),
    ),
    # reports (R3.1) -----------------------------------------------------------------------------
    "reports.absence": _q(
        F.VIEW_REPORTS,
        lambda w, s: AbsenceReport(
            actor=w.admin, period=DateRange(D(2026, 10, 1), D(2026, 11, 1)), units=(_employer(s),)
        ),
        invalid=lambda w, s: AbsenceReport(
            actor=w.admin, period=DateRange(D(2026, 10, 1), None), units=(_employer(s),)
        ),
    ),
    "reports.find_unit": _q(
        F.VIEW_REPORTS, lambda w, s: FindReportUnit(actor=w.admin, code=s.employer_code)
    ),
    "reports.wia_work_file": _q(
        F.VIEW_REPORTS,
        lambda w, s: WiaWorkFile(actor=w.admin, units=(_employer(s),), nn=True),
        invalid=lambda w, s: WiaWorkFile(actor=w.admin, units=()),
    ),
    "reports.register_wia_claim": _c(
        _ME,
        lambda w, s: RegisterWiaClaim(
            actor=w.admin,
            employee_id=s.employee,
            employer_id=s.employer,
            start=D(2026, 1, 1),
            benefit=WiaBenefit.IVA,
            monthly_wage=Decimal("3000.00"),
            income_from_work=Decimal("120.00"),
        ),
        invalid=lambda w, s: RegisterWiaClaim(
            actor=w.admin,
            employee_id=s.employee,
            employer_id=s.employer,
            start=D(2026, 1, 1),
            benefit=WiaBenefit.IVA,
            monthly_wage=Decimal("-1.00"),
        ),
        events=("WiaClaimRegistered",),
    ),
    "reports.record_wia_outflow": _c(
        _ME,
        lambda w, s: RecordWiaOutflow(
            actor=w.admin, claim_id=s.wia_claim, date=D(2026, 11, 1), reason=OutflowReason.AOW_AGE
        ),
        invalid=lambda w, s: RecordWiaOutflow(
            actor=w.admin, claim_id=s.wia_claim, date=D(2025, 1, 1), reason=OutflowReason.OTHER
        ),
        events=("WiaOutflowRecorded",),
    ),
}


# -- introspection and running --------------------------------------------------------------------


def services(xs: Xs) -> dict[str, Service]:
    """The services of the application: the attributes of ``Xs`` that are services."""
    found = {f.name: getattr(xs, f.name) for f in attrs.fields(type(xs))}
    return {name: svc for name, svc in found.items() if isinstance(svc, Service)}


def use_cases(xs: Xs) -> list[str]:
    """``service.method`` for every public method of every service, in service order."""
    names = []
    for service_name, service in services(xs).items():
        for method_name, _ in inspect.getmembers(type(service), inspect.isfunction):
            if not method_name.startswith("_"):
                names.append(f"{service_name}.{method_name}")
    return names


def command_for(case: UseCase, world: World, side: Side, actor: uuid.UUID) -> Command:
    return attrs.evolve(case.build(world, side), actor=actor)


def invoke(xs: Xs, name: str, cmd: Command) -> Any:
    service_name, method_name = name.split(".")
    service = getattr(xs, service_name)
    case = TABLE[name]
    if case.invoke is not None:
        return case.invoke(service, cmd)
    return getattr(service, method_name)(cmd)


# -- what the store holds -------------------------------------------------------------------------


def fingerprint(xs: Xs) -> dict[str, Any]:
    """Everything the store holds: every row of every table (the outbox included) on SQL, every
    collection of the memory store."""
    if xs.container.config.storage() == "memory":
        store = xs.container.memory_store()
        return {
            name: canonical(dict(collection.items()))
            for name, collection in store.collections().items()
        }
    engine = xs.container.engine()
    rows: dict[str, Any] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows[table.name] = sorted(repr(tuple(r)) for r in connection.execute(sa.select(table)))
    return rows


def counts(xs: Xs) -> dict[str, int]:
    """How many rows each table (collection) holds: a cheap check between two fingerprints."""
    if xs.container.config.storage() == "memory":
        store = xs.container.memory_store()
        return {name: len(collection) for name, collection in store.collections().items()}
    tables = metadata.sorted_tables
    query = sa.select(
        *(sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables)
    )
    with xs.container.engine().connect() as connection:
        row = connection.execute(query).one()
    return dict(row._mapping)


def canonical(value: Any) -> Any:
    """A value's content as nested tuples of text, sets in sorted order: equal content gives
    an equal result, however the sets were built."""
    if isinstance(value, dict):
        return tuple(sorted((canonical(k), canonical(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(canonical(v) for v in value)))
    if isinstance(value, list | tuple):
        return tuple(canonical(v) for v in value)
    if attrs.has(type(value)):
        return (
            type(value).__name__,
            tuple(canonical(getattr(value, f.name)) for f in attrs.fields(type(value)) if f.eq),
        )
    return repr(value)


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The tables (collections) whose content differs."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def outbox_size(xs: Xs) -> int:
    return len(xs.outbox.pending(10_000))
