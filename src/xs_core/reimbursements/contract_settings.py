"""User contract settings (the "Contract" tab of a user), R5.3.

A user's contract settings say whether they may register activities (R4.4), whether the
reimbursements of their registered activities are paid to a supplier, and then which supplier and
which reimbursement contract model (R5.4). They are **dated**: each version applies from a day
until the next version (half-open, R0.2), and what counts for an activity is the version in force
on the day it was performed. A user without settings may register activities and is reimbursed
through no supplier.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import ClassVar

import attrs

from xs_core.dates import DateRange, as_date
from xs_core.errors import DomainError, InvalidInput, register_messages
from xs_core.events import Aggregate, DomainEvent

register_messages(
    {
        "reimbursements.settings_incomplete": (
            "Vergoeding via een leverancier vraagt een leverancier en een "
            "vergoedingscontractmodel.",
            "Reimbursement through a supplier needs a supplier and a reimbursement contract model.",
        ),
        "reimbursements.settings_inconsistent": (
            "Een leverancier en vergoedingscontractmodel horen alleen bij vergoeding via een "
            "leverancier.",
            "A supplier and reimbursement contract model only go with reimbursement through a "
            "supplier.",
        ),
        "reimbursements.may_not_register_activities": (
            "Gebruiker {user_id} mag op {day} geen verrichtingen schrijven.",
            "User {user_id} may not register activities on {day}.",
        ),
    },
    kind=InvalidInput,
)


@attrs.frozen(kw_only=True)
class ContractSettings:
    """What applies to a user from a day on (R5.3)."""

    may_register_activities: bool = True
    reimbursed_via_supplier: bool = False
    supplier_id: uuid.UUID | None = None
    contract_model_id: uuid.UUID | None = None

    def check(self) -> None:
        """Reimbursement through a supplier names both; otherwise neither is named."""
        if self.reimbursed_via_supplier:
            if self.supplier_id is None or self.contract_model_id is None:
                raise DomainError("reimbursements.settings_incomplete", {"rule": "R5.3"})
        elif self.supplier_id is not None or self.contract_model_id is not None:
            raise DomainError("reimbursements.settings_inconsistent", {"rule": "R5.3"})


@attrs.frozen(kw_only=True)
class ContractSettingsVersion:
    """A version of a user's settings and the days it applies (half-open)."""

    valid: DateRange
    settings: ContractSettings


@attrs.frozen(kw_only=True)
class UserContractSettingsChanged(DomainEvent):
    """R5.3: a user's contract settings apply from ``valid_from`` (until the next change)."""

    name: ClassVar[str] = "UserContractSettingsChanged"
    user_id: uuid.UUID
    valid_from: _dt.date
    may_register_activities: bool
    reimbursed_via_supplier: bool
    supplier_id: uuid.UUID | None
    contract_model_id: uuid.UUID | None


@attrs.define(kw_only=True)
class UserContractSettings(Aggregate):
    """The dated contract settings of one user: non-overlapping versions in date order."""

    user_id: uuid.UUID
    versions: tuple[ContractSettingsVersion, ...] = ()

    def on(self, day: _dt.date) -> ContractSettings | None:
        """The settings in force on ``day``; ``None`` before the first version."""
        for version in self.versions:
            if version.valid.contains(as_date(day)):
                return version.settings
        return None

    def may_register_on(self, day: _dt.date) -> bool:
        settings = self.on(day)
        return settings is None or settings.may_register_activities

    def require_may_register(self, day: _dt.date) -> None:
        """R5.3: registering an activity by a user whose settings that day forbid it."""
        if not self.may_register_on(day):
            raise DomainError(
                "reimbursements.may_not_register_activities",
                {"rule": "R5.3", "user_id": str(self.user_id), "day": as_date(day).isoformat()},
            )

    def set_from(self, day: _dt.date, settings: ContractSettings) -> None:
        """``settings`` apply from ``day`` on: the version in force that day ends there, later
        versions are replaced (history before ``day`` is kept)."""
        settings.check()
        start = as_date(day)
        kept: list[ContractSettingsVersion] = []
        for version in self.versions:
            if version.valid.start >= start:
                continue
            if version.valid.end is None or version.valid.end > start:
                version = ContractSettingsVersion(
                    valid=DateRange(version.valid.start, start), settings=version.settings
                )
            kept.append(version)
        kept.append(ContractSettingsVersion(valid=DateRange(start), settings=settings))
        self.versions = tuple(kept)
        self.record(
            UserContractSettingsChanged(
                user_id=self.user_id,
                valid_from=start,
                may_register_activities=settings.may_register_activities,
                reimbursed_via_supplier=settings.reimbursed_via_supplier,
                supplier_id=settings.supplier_id,
                contract_model_id=settings.contract_model_id,
            )
        )
