"""The in-memory store shared by the units of work of one application (R0.5).

Every collection is a :class:`~xs_adapters.memory.tables.Collection`: rows by primary key, the
secondary indexes the repositories look things up by, and one undo journal for the whole store.
A unit of work costs in proportion to what it touches:

* a write records the key's previous value in the journal; rollback replays the journal
  backwards (rows and indexes alike), commit forgets it;
* the indexes are derived from the rows and changed with them, so a lookup costs its result,
  not the size of the store.

**Invariant: a stored value is never changed in place.** Repositories copy an aggregate when it
is saved and when it is read (:func:`~xs_adapters.memory.clone.clone`) and replace a row to change
it. Stored values can therefore be shared: between the journal and the rows, and between a
store and its :meth:`MemoryStore.fork` — a fork copies the dictionaries, never the values, and
index buckets are copied on their first write after the fork.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar

import attrs
import pendulum

from xs_adapters.memory.clone import clone
from xs_adapters.memory.search import SearchEntries
from xs_adapters.memory.tables import Collection, Derived, Index, Journal
from xs_adapters.search_documents import (
    SearchDocument,
    department_document,
    employee_document,
    employer_document,
)
from xs_core.access.api_clients import ApiClient, IdempotentResult
from xs_core.access.model import Role, User
from xs_core.access.passwords import Account, PasswordToken
from xs_core.agenda.model import (
    Activity,
    Appointment,
    AppointmentLocation,
    AppointmentRequest,
    Availability,
)
from xs_core.agenda.spans import TimeSpan
from xs_core.billing.contracts import ContractModel, ServiceAgreement, Subscription
from xs_core.billing.invoicing import InvoiceBasis, SubscriptionLine
from xs_core.errors import NotFound
from xs_core.events import Aggregate
from xs_core.mail.model import MailTemplate
from xs_core.messaging.model import Dialog, Document, Message
from xs_core.money import Money
from xs_core.organisation.model import Branch, Department, Dossier, Employee, Employer, Folder
from xs_core.organisation.search import normalise_code
from xs_core.policies.model import InsuranceProduct, Insurer, Policy, Registration
from xs_core.policies.ports import ChunkState, RunRecord
from xs_core.protocols.model import Protocol, Trajectory
from xs_core.protocols.ports import StoredBulkRequest
from xs_core.reimbursements.batches import BatchLine, ReimbursementBatch
from xs_core.reimbursements.contract_settings import UserContractSettings
from xs_core.reimbursements.relations import Relation
from xs_core.reports.wia import WiaClaim
from xs_core.settings import ParameterChange

A = TypeVar("A", bound=Aggregate)


def _copy(aggregate: A) -> A:
    """A private copy of an aggregate, without its pending events (copied in and out)."""
    copied = clone(aggregate)
    copied.pending_events = []
    return copied


@attrs.frozen(kw_only=True)
class ActivityLineRecord:
    """An activity on an invoice basis (R4.4, R5.1)."""

    invoice_basis_id: uuid.UUID
    activity_id: uuid.UUID
    activity_type: str
    performed_on: pendulum.Date
    employee_id: uuid.UUID
    amount: Money


@attrs.frozen(kw_only=True)
class OutboxRecord:
    """A message of the outbox (R0.7); ``payload`` is never changed once written."""

    id: int
    name: str
    version: int
    payload: dict[str, Any]
    occurred_at: _dt.datetime


@attrs.frozen
class ClaimRecord:
    """A subscription's lease on a message, or its acknowledgement (R0.7)."""

    consumer: str | None
    lease_until: _dt.datetime | None
    attempts: int
    acknowledged: bool


def _one(key: Hashable | None) -> tuple[Hashable, ...]:
    return () if key is None else (key,)


def _search(make: Callable[[Any], SearchDocument], slack: int) -> dict[str, Derived]:
    return {"search": SearchEntries(make, slack)}


class MemoryStore:
    """Everything the in-memory adapters hold; shared by the units of work of one app.

    One unit of work at a time holds :attr:`lock`. :meth:`fork` and :meth:`snapshot` /
    :meth:`restore` copy the committed state cheaply (for test suites that load a world once).
    """

    folders: Collection[uuid.UUID, Folder]
    employers: Collection[uuid.UUID, Employer]
    departments: Collection[uuid.UUID, Department]
    branches: Collection[uuid.UUID, Branch]
    employees: Collection[uuid.UUID, Employee]
    dossiers: Collection[uuid.UUID, Dossier]
    users: Collection[uuid.UUID, User]
    roles: Collection[uuid.UUID, Role]
    protocols: Collection[uuid.UUID, Protocol]
    trajectories: Collection[uuid.UUID, Trajectory]
    bulk_requests: Collection[uuid.UUID, StoredBulkRequest]
    locations: Collection[uuid.UUID, AppointmentLocation]
    availabilities: Collection[uuid.UUID, Availability]
    appointment_requests: Collection[uuid.UUID, AppointmentRequest]
    appointments: Collection[uuid.UUID, Appointment]
    activities: Collection[uuid.UUID, Activity]
    contract_models: Collection[uuid.UUID, ContractModel]
    service_agreements: Collection[uuid.UUID, ServiceAgreement]
    subscriptions: Collection[uuid.UUID, Subscription]
    invoice_bases: Collection[uuid.UUID, InvoiceBasis]
    subscription_lines: Collection[tuple[uuid.UUID, pendulum.Date], SubscriptionLine]
    activity_lines: Collection[uuid.UUID, ActivityLineRecord]
    outbox: Collection[int, OutboxRecord]
    outbox_positions: Collection[str, int]
    outbox_claims: Collection[tuple[str, int], ClaimRecord]
    insurers: Collection[uuid.UUID, Insurer]
    insurance_products: Collection[uuid.UUID, InsuranceProduct]
    insurance_policies: Collection[uuid.UUID, Policy]
    policy_registrations: Collection[uuid.UUID, Registration]
    policy_runs: Collection[uuid.UUID, RunRecord]
    policy_participant_inputs: Collection[tuple[uuid.UUID, uuid.UUID], tuple[str, _dt.date]]
    policy_run_chunks: Collection[tuple[uuid.UUID, int], tuple[uuid.UUID, ChunkState]]
    configuration_parameters: Collection[str, int]
    configuration_parameter_changes: Collection[int, ParameterChange]
    relations: Collection[uuid.UUID, Relation]
    contract_settings: Collection[uuid.UUID, UserContractSettings]
    reimbursement_batches: Collection[uuid.UUID, ReimbursementBatch]
    wia_claims: Collection[uuid.UUID, WiaClaim]
    reimbursement_batch_users: Collection[uuid.UUID, tuple[uuid.UUID, ...]]
    reimbursement_lines: Collection[tuple[uuid.UUID, uuid.UUID], BatchLine]
    accounts: Collection[uuid.UUID, Account]
    password_tokens: Collection[uuid.UUID, PasswordToken]
    mail_templates: Collection[tuple[str, str], MailTemplate]
    api_clients: Collection[uuid.UUID, ApiClient]
    idempotency_keys: Collection[tuple[uuid.UUID, str], tuple[IdempotentResult, _dt.datetime]]
    token_attempts: Collection[tuple[str, _dt.datetime], int]
    documents: Collection[uuid.UUID, Document]
    dialogs: Collection[uuid.UUID, Dialog]
    dialog_messages: Collection[tuple[uuid.UUID, int], Message]

    def __init__(self, search_slack: int = 64) -> None:
        """``search_slack``: how many units may change before a search rebuilds its scan text
        (see :class:`~xs_adapters.memory.search.SearchEntries`; tests use 0)."""
        self.lock = threading.RLock()
        self._journal: Journal = []
        self._depth = 0  # units of work open on this store (nested ones on one thread)
        j = self._journal
        self.folders = Collection(j)
        self.employers = Collection(
            j,
            {
                "code": Index(lambda e: _one(normalise_code(e.code))),
                "folder": Index(lambda e: (e.folder_id,)),
            },
            _search(employer_document, search_slack),
        )
        self.departments = Collection(
            j,
            {
                "code": Index(lambda d: _one(_department_code(d))),
                "employer": Index(lambda d: (d.employer_id,)),
                "parent": Index(lambda d: _one(d.parent_id)),
            },
            _search(department_document, search_slack),
        )
        self.branches = Collection(j, {"employer": Index(lambda b: (b.employer_id,))})
        self.employees = Collection(j, derived=_search(employee_document, search_slack))
        self.dossiers = Collection(j, {"unit": Index(lambda d: (d.unit,))})
        self.users = Collection(j, {"email": Index(lambda u: (u.email.casefold(),))})
        self.roles = Collection(j)
        self.protocols = Collection(j)
        self.trajectories = Collection(
            j,
            {
                "employee": Index(lambda t: (t.employee_id,)),
                "protocol": Index(lambda t: (t.protocol_id,)),
            },
        )
        self.bulk_requests = Collection(j)
        self.locations = Collection(j)
        self.availabilities = Collection(
            j,
            {
                "location_day": Index(lambda a: span_days(a.location_id, a.span)),
                "professional_day": Index(lambda a: span_days(a.professional_id, a.span)),
            },
        )
        self.appointment_requests = Collection(j)
        self.appointments = Collection(j, {"availability": Index(lambda a: (a.availability_id,))})
        self.activities = Collection(
            j,
            {
                "appointment": Index(lambda a: _one(a.appointment_id)),
                "professional": Index(lambda a: (a.professional_id,)),
            },
        )
        self.contract_models = Collection(j)
        self.service_agreements = Collection(j, {"employer": Index(lambda a: (a.employer_id,))})
        self.subscriptions = Collection(j, {"agreement": Index(lambda s: (s.agreement_id,))})
        self.invoice_bases = Collection(j, {"run": Index(lambda b: (b.run_id,))})
        self.subscription_lines = Collection(
            j,
            {
                "basis": Index(lambda line: (line.invoice_basis_id,)),
                "subscription": Index(lambda line: (line.subscription_id,)),
            },
        )
        self.activity_lines = Collection(j, {"basis": Index(lambda r: (r.invoice_basis_id,))})
        self.outbox = Collection(j)
        self.outbox_positions = Collection(j)
        self.outbox_claims = Collection(j)
        # policy registration (R6.1–R6.6)
        self.insurers = Collection(j, {"code": Index(lambda i: _one(normalise_code(i.code)))})
        self.insurance_products = Collection(
            j,
            {
                "insurer": Index(lambda p: (p.insurer_id,)),
                "code": Index(lambda p: _one(_product_code(p))),
            },
        )
        self.insurance_policies = Collection(
            j,
            {
                "employer": Index(lambda p: (p.employer_id,)),
                "number": Index(lambda p: ((p.product_id, p.number),)),
            },
        )
        self.policy_registrations = Collection(
            j,
            {
                "participant": Index(lambda r: ((r.policy_id, r.employee_id),)),
                "policy": Index(lambda r: (r.policy_id,)),
            },
        )
        self.policy_runs = Collection(j)
        self.policy_participant_inputs = Collection(j)
        self.policy_run_chunks = Collection(j, {"run": Index(lambda c: (c[0],))})
        self.configuration_parameters = Collection(j)
        self.configuration_parameter_changes = Collection(j)
        # reimbursements (R5.2–R5.5)
        self.relations = Collection(
            j, {"code": Index(lambda r: ((r.kind, normalise_code(r.code)),))}
        )
        self.contract_settings = Collection(
            j,
            {
                "holder": Index(
                    lambda s: {
                        (v.settings.supplier_id, v.settings.contract_model_id)
                        for v in s.versions
                        if v.settings.reimbursed_via_supplier
                    }
                )
            },
        )
        self.reimbursement_batches = Collection(j, {"supplier": Index(lambda b: (b.supplier_id,))})
        self.wia_claims = Collection(j, {"employer": Index(lambda c: (c.employer_id,))})
        self.reimbursement_batch_users = Collection(j)
        self.reimbursement_lines = Collection(
            j,
            {
                "batch": Index(lambda line: (line.batch_id,)),
                "activity": Index(lambda line: (line.activity_id,)),
            },
        )
        # passwords and mail (R2.6)
        self.accounts = Collection(j)
        self.password_tokens = Collection(
            j, {"digest": Index(lambda t: (t.digest,)), "user": Index(lambda t: (t.user_id,))}
        )
        self.mail_templates = Collection(j)
        # the external API (R7.1)
        self.api_clients = Collection(j)
        self.idempotency_keys = Collection(j)
        self.token_attempts = Collection(j)
        # documents and secure messaging (R2.7)
        self.documents = Collection(j, {"dossier": Index(lambda d: (d.dossier_id,))})
        self.dialogs = Collection(j, {"dossier": Index(lambda d: (d.dossier_id,))})
        self.dialog_messages = Collection(j, {"dialog": Index(lambda m: (m.dialog_id,))})

    def collections(self) -> dict[str, Collection[Any, Any]]:
        """Every collection by name (``employers``, …, ``outbox``)."""
        return {name: c for name, c in vars(self).items() if isinstance(c, Collection)}

    # -- transactions (used by MemoryUnitOfWork) ------------------------------------------------

    def begin(self) -> int:
        """Open a unit of work (the caller holds :attr:`lock`); returns its rollback mark."""
        if self._depth == 0:
            self._journal.clear()  # writes made outside any unit of work stay
        self._depth += 1
        return len(self._journal)

    def commit(self) -> int:
        """Make the writes durable; returns the new rollback mark of the unit of work."""
        if self._depth == 1:
            self._journal.clear()
        return len(self._journal)

    def rollback(self, mark: int) -> None:
        """Undo every write after ``mark``, newest first (rows, indexes and derived values)."""
        journal = self._journal
        while len(journal) > mark:
            collection, key, previous = journal.pop()
            collection._undo(key, previous)

    def end(self) -> None:
        self._depth -= 1

    # -- copies of the committed state ----------------------------------------------------------

    def _require_idle(self) -> None:
        if self._depth:
            raise RuntimeError("a memory store can only be copied outside a unit of work")

    def fork(self) -> MemoryStore:
        """An independent store holding this store's committed state.

        Costs a copy of each collection's dictionaries, not of the values they hold (stored
        values are never changed in place, so both stores can share them).
        """
        with self.lock:
            self._require_idle()
            forked = MemoryStore.__new__(MemoryStore)  # the state __init__ sets, but copied
            forked.lock = threading.RLock()
            forked._journal = []
            forked._depth = 0
            for name, collection in self.collections().items():
                setattr(forked, name, collection._fork(forked._journal))
            return forked

    def snapshot(self) -> MemoryStore:
        """The committed state, for :meth:`restore` (a fork nobody writes to)."""
        return self.fork()

    def restore(self, snapshot: MemoryStore) -> None:
        """Return to ``snapshot``'s state (which stays usable for further restores)."""
        with self.lock, snapshot.lock:
            self._require_idle()
            snapshot._require_idle()
            for name, collection in snapshot.collections().items():
                setattr(self, name, collection._fork(self._journal))


def subtrees(store: MemoryStore, roots: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The departments ``roots`` and every department below them (R1.1)."""
    found = set(roots)
    todo = list(found)
    while todo:
        for child in store.departments.find_keys("parent", todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


#: A span longer than this many days is kept under ``(location, None)``, looked at every time.
LONG_SPAN_DAYS = 31


def span_days(
    location_id: uuid.UUID, span: TimeSpan, bounded: bool = True
) -> Iterator[tuple[uuid.UUID, int | None]]:
    """The index keys of a span at a location: ``(location, n)`` for every UTC day ``n`` (days
    since the epoch) it touches. ``bounded``: a long span gets the one key ``(location, None)``;
    a lookup (``bounded=False``) also gets that key, so it finds the long spans too."""
    first = int(span.start.timestamp() // 86400)
    last = math.ceil(span.end.timestamp() / 86400) - 1
    if not bounded:
        yield location_id, None
    elif last - first >= LONG_SPAN_DAYS:
        yield location_id, None
        return
    for day in range(first, last + 1):
        yield location_id, day


def _product_code(product: InsuranceProduct) -> tuple[uuid.UUID, str] | None:
    code = normalise_code(product.code)
    return None if code is None else (product.insurer_id, code)


def _department_code(department: Department) -> tuple[uuid.UUID, str] | None:
    code = normalise_code(department.code)
    return None if code is None else (department.employer_id, code)


def _missing(kind: str, ident: uuid.UUID) -> NotFound:
    return NotFound("not_found", {"kind": kind, "id": str(ident)})
