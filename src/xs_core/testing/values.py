"""Strategies for the value objects of the core: money, VAT numbers, unit references, addresses,
contact persons, employment conditions, billing (R5.1), protocols (R2.1, R2.2) and search (R1.3).

Every value is made through the core's own constructors, within its limits (R0.5).
"""

from __future__ import annotations

import datetime as _dt
import string
import uuid
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from xs_core import limits
from xs_core.access.api_clients import ClientActor
from xs_core.access.model import SCOPE_KINDS, Scope
from xs_core.billing.contracts import ContractKind, Payer, PriceCategory
from xs_core.billing.frequency import ALLOWED_DEVIATIONS, BillingFrequency
from xs_core.dates import as_date
from xs_core.money import MAX_CENTS, Money
from xs_core.organisation.model import (
    Address,
    ContactPerson,
    EmploymentConditions,
    EmploymentType,
)
from xs_core.organisation.search import SearchContext, SearchQuery
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.organisation.vat import VatNumber
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionOverrides,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolVariation, TaskTemplate
from xs_core.protocols.sickness import RecoveryReport
from xs_core.testing.moments import dates
from xs_core.testing.text import emails, names, phones, postcodes, search_terms, text

uuids = st.uuids(version=4)

# -- money (R0.3) ---------------------------------------------------------------------------------


def money(
    min_cents: int | None = None, max_cents: int = 10_000_000, *, negative: bool = False
) -> st.SearchStrategy[Money]:
    """Exact euro amounts (R0.3) from ``min_cents`` to ``max_cents`` cents: by default not
    negative (what prices, subscriptions and salaries take), from ``-max_cents`` with
    ``negative=True``. Both bounds stay within :data:`~xs_core.money.MAX_AMOUNT`."""
    low = (-max_cents if negative else 0) if min_cents is None else min_cents
    if not -MAX_CENTS <= low <= max_cents <= MAX_CENTS:
        raise InvalidArgument(f"cents {low} … {max_cents} must be in order and within ±{MAX_CENTS}")
    return st.integers(min_value=low, max_value=max_cents).map(Money.from_cents)


def amounts(max_cents: int = 10_000_000) -> st.SearchStrategy[Decimal]:
    """Non-negative amounts as ``Decimal`` euros with two decimals (a yearly salary)."""
    return money(0, max_cents).map(lambda m: m.amount)


def ratios(max_parts: int = 24) -> st.SearchStrategy[list[int]]:
    """Allocation ratios: non-negative, at least one positive (R0.3)."""
    return st.lists(st.integers(0, 1000), min_size=1, max_size=max_parts).filter(
        lambda r: sum(r) > 0
    )


def hours_per_week() -> st.SearchStrategy[Decimal]:
    """Hours per week (R2.3): 0.01 up to 168, at most two decimals."""
    return st.integers(1, int(limits.HOURS_MAX * 100)).map(lambda c: Decimal(c).scaleb(-2))


# -- VAT numbers (R1.1) ---------------------------------------------------------------------------


@st.composite
def dutch_vat_numbers(draw: st.DrawFn) -> str:
    """Valid Dutch btw-nummers in compact form, by the old mod-11 or the newer mod-97 check."""
    suffix = draw(st.integers(1, 99))
    if draw(st.booleans()):
        while True:
            first = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
            check = sum(d * (9 - i) for i, d in enumerate(first)) % 11
            if check < 10 and any(first):
                digits = "".join(map(str, first)) + str(check)
                return f"NL{digits}B{suffix:02d}"
    head = draw(st.integers(1, 9_999_999))
    # "NL" -> 2321, "B" -> 11 (ISO 7064 mod 97-10); choose the last two digits so that the
    # whole number is 1 modulo 97: x * 10**4 contributes 9x (mod 97), and 9 * 54 = 1 (mod 97).
    rest = int(f"2321{head:07d}00" + "11" + f"{suffix:02d}") % 97
    tail = (54 * (1 - rest)) % 97
    return f"NL{head:07d}{tail:02d}B{suffix:02d}"


def vat_numbers() -> st.SearchStrategy[VatNumber]:
    """Valid VAT numbers (Dutch and a few other EU examples), R1.1; ``str()`` gives the text a
    command takes."""
    others = st.sampled_from(["DE136695976", "BE0403170701", "FR40303265045", "ATU13585627"])
    return st.one_of(dutch_vat_numbers(), others).map(VatNumber.parse)


# -- organisation (R1.2, R1.5) --------------------------------------------------------------------


def unit_refs(
    kinds: frozenset[UnitKind] | tuple[UnitKind, ...] = tuple(UnitKind),
    ids: st.SearchStrategy[uuid.UUID] | None = None,
) -> st.SearchStrategy[UnitRef]:
    """References to organisation units of ``kinds`` (random ids unless ``ids`` draws them):
    ``SCOPE_KINDS`` for a user's scope, ``DOSSIER_KINDS`` for a dossier."""
    chosen = tuple(k for k in UnitKind if k in kinds)
    return st.builds(UnitRef, st.sampled_from(chosen), uuids if ids is None else ids)


def client_actors() -> st.SearchStrategy[ClientActor]:
    """An API client acting through its technical user (R7.1): random client ids (use cases
    refuse an unknown one with ``api.token_invalid``)."""
    return st.builds(ClientActor, uuids)


def scopes() -> st.SearchStrategy[Scope]:
    """A user's scope (R0.6): a few folders, employers and departments, or everything."""
    return st.one_of(
        st.frozensets(unit_refs(SCOPE_KINDS), max_size=3).map(Scope),
        st.just(Scope(everything=True)),
    )


def addresses() -> st.SearchStrategy[Address]:
    """Street addresses; any field may be empty, as the core allows."""
    house_numbers = st.builds(
        lambda n, addition: f"{n}{addition}", st.integers(1, 999), st.sampled_from(["", "a", "-1"])
    )
    return st.builds(
        Address.create,
        street=st.just("") | names(limits.STREET),
        house_number=st.just("") | house_numbers,
        postcode=st.just("") | postcodes(),
        city=st.just("") | names(limits.CITY),
    )


def contact_persons() -> st.SearchStrategy[ContactPerson]:
    """An employer's contact persons (R1.5): a name, maybe a role, an e-mail address, a phone."""
    return st.builds(
        ContactPerson.create,
        name=names(),
        role=st.none() | text(limits.CONTACT_ROLE),
        email=st.none() | emails(),
        phone=st.none() | phones(),
    )


def employment_conditions() -> st.SearchStrategy[EmploymentConditions]:
    """What may change during an employment (R2.3)."""
    return st.builds(
        EmploymentConditions,
        department_id=st.none() | uuids,
        employment_type=st.sampled_from(EmploymentType),
        hours_per_week=hours_per_week(),
        salary=st.none() | money(),
        job_title=st.none() | text(limits.JOB_TITLE),
    )


def _search_pages() -> st.SearchStrategy[tuple[int, int]]:
    """A page and a page size of an advanced search that end within its first
    :data:`~xs_core.limits.MAX_SEARCH_RESULTS` results (R1.3)."""
    return st.integers(1, limits.MAX_PAGE_SIZE).flatmap(
        lambda size: st.tuples(st.integers(1, limits.MAX_SEARCH_RESULTS // size), st.just(size))
    )


def search_queries() -> st.SearchStrategy[SearchQuery]:
    """Valid advanced-search requests (R1.3)."""
    return st.builds(
        lambda term, context, kinds, page: SearchQuery.create(
            term, context, kinds, page=page[0], page_size=page[1]
        ),
        term=search_terms(),
        context=st.sampled_from(SearchContext),
        kinds=st.none() | st.frozensets(st.sampled_from(UnitKind), min_size=1),
        page=_search_pages(),
    )


# -- billing (R5.1) -------------------------------------------------------------------------------


def billing_frequencies() -> st.SearchStrategy[BillingFrequency]:
    """How often a contract period is billed."""
    return st.sampled_from(BillingFrequency)


def contract_kinds() -> st.SearchStrategy[ContractKind]:
    return st.sampled_from(ContractKind)


def deviating_frequencies(contract: BillingFrequency) -> st.SearchStrategy[BillingFrequency]:
    """The deviating frequencies R5.1 allows an agreement on a model billed ``contract``: only
    strictly shorter ones (none for a monthly model: ``st.nothing()``)."""
    allowed = ALLOWED_DEVIATIONS[contract]
    return st.sampled_from(allowed) if allowed else st.nothing()


def deviations() -> st.SearchStrategy[tuple[BillingFrequency, BillingFrequency]]:
    """Pairs ``(contract frequency, deviating frequency)`` that R5.1 allows."""
    return st.sampled_from([(c, d) for c, allowed in ALLOWED_DEVIATIONS.items() for d in allowed])


def activity_types() -> st.SearchStrategy[str]:
    """Activity types (verrichtingen) as contract models price them."""
    return st.sampled_from(["Spreekuur", "Werkplekonderzoek", "Consult", "Huisbezoek"]) | text(
        limits.ACTIVITY_TYPE, alphabet=string.ascii_letters + " "
    )


def price_categories(
    activity_type: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[PriceCategory]:
    """A price per activity type and who pays it; never negative (``billing.negative_amount``).
    A contract model prices an (activity type, payer) once: draw several with
    ``st.lists(price_categories(), unique_by=lambda c: (c.activity_type, c.payer))``."""
    return st.builds(
        PriceCategory,
        activity_type=activity_types() if activity_type is None else activity_type,
        price=money(0, 1_000_000),
        payer=st.sampled_from(Payer),
    )


# -- protocols (R2.1, R2.2, R2.5) -----------------------------------------------------------------


def protocol_characteristics() -> st.SearchStrategy[ProtocolCharacteristics]:
    """Every combination of a protocol's settings (R2.1)."""
    return st.builds(
        ProtocolCharacteristics,
        may_start_in_bulk=st.booleans(),
        bulk_end_date_may_be_empty=st.booleans(),
        end_date_may_be_in_future=st.booleans(),
    )


def task_templates() -> st.SearchStrategy[TaskTemplate]:
    """Tasks a protocol adds to its trajectories."""
    return st.builds(
        TaskTemplate,
        code=text(limits.TASK_CODE, alphabet=string.ascii_uppercase + string.digits + "_"),
        title=text(limits.TASK_TITLE),
    )


def protocol_variations() -> st.SearchStrategy[ProtocolVariation]:
    return st.builds(ProtocolVariation, id=uuids, name=names())


def bulk_units() -> st.SearchStrategy[BulkUnit]:
    """The unit of a bulk start (R2.2): one or more employers, or one department."""
    return st.one_of(
        st.frozensets(uuids, min_size=1, max_size=3).map(lambda ids: BulkUnit(employer_ids=ids)),
        uuids.map(lambda d: BulkUnit(department_id=d)),
    )


@st.composite
def bulk_start_requests(draw: st.DrawFn) -> BulkStartRequest:
    """Bulk start requests (R2.2): a planned last day after the start, when there is one."""
    start = draw(dates())
    end_date = draw(st.none() | dates(start + _dt.timedelta(days=1), _dt.date(2041, 12, 31)))
    employee_ids = draw(st.none() | st.frozensets(uuids, max_size=3))
    return BulkStartRequest(
        request_id=draw(uuids),
        protocol_id=draw(uuids),
        unit=draw(bulk_units()),
        start=start,
        end_date=end_date,
        employee_ids=employee_ids,
        deselected=draw(st.frozensets(uuids, max_size=2)),
    )


def recovery_reports() -> st.SearchStrategy[RecoveryReport]:
    """A recovery (R2.5): from a day on, 1–100 % recovered."""
    return st.builds(
        RecoveryReport,
        dates().map(as_date),
        st.integers(limits.PERCENTAGE_MIN, limits.PERCENTAGE_MAX),
    )


__all__ = [
    "activity_types",
    "addresses",
    "age_conditions",
    "ages",
    "amounts",
    "billing_frequencies",
    "bulk_start_requests",
    "bulk_units",
    "condition_overrides",
    "conditions",
    "contact_persons",
    "contract_kinds",
    "deviating_frequencies",
    "deviations",
    "dutch_vat_numbers",
    "employment_conditions",
    "employment_type_conditions",
    "hours_per_week",
    "money",
    "price_categories",
    "protocol_characteristics",
    "protocol_variations",
    "ratios",
    "recovery_reports",
    "scopes",
    "search_queries",
    "task_templates",
    "unit_refs",
    "uuids",
    "vat_numbers",
]


# -- policy registration (R6) -------------------------------------------------------------------


def ages(min_months: int = 0, max_months: int = 120 * 12) -> st.SearchStrategy[Age]:
    """An age in years and months (R6.2)."""
    return st.integers(min_months, max_months).map(lambda m: Age(m // 12, m % 12))


@st.composite
def age_conditions(draw: st.DrawFn) -> AgeCondition:
    """R6.2 (1): off, or on with a lower and/or an upper bound above it."""
    if not draw(st.booleans()):
        return AgeCondition()
    lower = draw(st.one_of(st.none(), st.integers(0, 40 * 12)))
    upper = draw(st.one_of(st.none(), st.integers(50 * 12, 80 * 12)))
    if lower is None and upper is None:
        upper = 67 * 12 + 3
    return AgeCondition(
        active=True,
        younger_than=None if lower is None else Age(lower // 12, lower % 12),
        older_than=None if upper is None else Age(upper // 12, upper % 12),
    )


@st.composite
def employment_type_conditions(draw: st.DrawFn) -> EmploymentTypeCondition:
    """R6.2 (4): off, or on excluding one or more employment types."""
    if not draw(st.booleans()):
        return EmploymentTypeCondition()
    excluded = draw(st.frozensets(st.sampled_from(list(EmploymentType)), min_size=1))
    return EmploymentTypeCondition(active=True, excluded=excluded)


def conditions() -> st.SearchStrategy[Conditions]:
    """The four conditions of a product or policy (R6.2), each on or off."""
    return st.builds(
        Conditions,
        age=age_conditions(),
        sickness=st.builds(SicknessCondition, active=st.booleans()),
        salary=st.builds(SalaryCondition, active=st.booleans()),
        employment_type=employment_type_conditions(),
    )


def condition_overrides() -> st.SearchStrategy[ConditionOverrides]:
    """A policy's overrides (R6.3): each condition overridden or following the product."""
    return st.builds(
        ConditionOverrides,
        age=st.none() | age_conditions(),
        sickness=st.none() | st.builds(SicknessCondition, active=st.booleans()),
        salary=st.none() | st.builds(SalaryCondition, active=st.booleans()),
        employment_type=st.none() | employment_type_conditions(),
    )
