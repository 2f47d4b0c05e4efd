"""Reimbursements through the services on memory, SQLite and PostgreSQL (R5.2–R5.5): suppliers,
dated user contract settings, reimbursement contract models, batches and their exports."""

from __future__ import annotations

import datetime as _dt
import io
import uuid
from collections.abc import Callable, Iterator

import pytest
import xmlschema

from tests.apps import make_app
from tests.races import events
from tests.reimbursements_world import (
    PAYING_IBAN,
    ReimbursementWorld,
    reimbursement_world,
)
from tests.usecases import fingerprint
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.sepa import schema_path
from xs_app.services.billing import ConcludeAgreement, CreateContractModel, ListContractModels
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
from xs_core.billing.contracts import ContractKind, ContractModelType, Payer, PriceCategory
from xs_core.billing.frequency import BillingFrequency
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.reimbursements.batches import BatchStatus, LineDecision
from xs_core.reimbursements.relations import RelationKind

D = _dt.date
Q1 = DateRange(D(2026, 1, 1), D(2026, 4, 1))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


@pytest.fixture
def w(app: Xs) -> ReimbursementWorld:
    return reimbursement_world(app)


def _refused(xs: Xs, code: str, call: Callable[[], object]) -> DomainError:
    """``call`` is refused with ``code`` and changes nothing at all (outbox included)."""
    before = fingerprint(xs)
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.code == code, repr(refused.value)
    assert fingerprint(xs) == before
    return refused.value


def _details(code: str = "LEV2", **changes: str) -> RelationDetails:
    values = {"name": "Tweede Leverancier", "code": code, "postcode": "1234ab", "city": "Ede"}
    values.update(changes)
    return RelationDetails(**values)  # type: ignore[arg-type]


def _lines(w: ReimbursementWorld, batch: uuid.UUID) -> dict[uuid.UUID, LineDecision]:
    found = w.xs.reimbursements.lines(ReimbursementBatchLines(actor=w.admin, batch_id=batch))
    return {line.activity_id: line.decision for line in found}


def _decide(
    w: ReimbursementWorld, batch: uuid.UUID, decision: LineDecision, *activities: uuid.UUID
) -> None:
    w.xs.reimbursements.decide(
        DecideReimbursementLines(
            actor=w.admin, batch_id=batch, activity_ids=frozenset(activities), decision=decision
        )
    )


def _finalise(w: ReimbursementWorld, batch: uuid.UUID) -> None:
    w.xs.reimbursements.finalise(FinaliseReimbursementBatch(actor=w.admin, batch_id=batch))


# -- R5.2 suppliers -------------------------------------------------------------------------------


def test_r5_2_a_supplier_keeps_its_iban_compact_shows_it_in_fours_and_derives_the_bic(
    w: ReimbursementWorld,
) -> None:
    supplier = w.xs.reimbursements.relation(GetRelation(actor=w.admin, relation_id=w.supplier))
    assert supplier.kind is RelationKind.SUPPLIER and supplier.active
    assert supplier.iban is not None
    assert supplier.iban.compact == "NL91ABNA0417164300"
    assert supplier.iban.formatted == "NL91 ABNA 0417 1643 00"
    assert supplier.iban.bic == "ABNANL2A"
    assert supplier.address.postcode == "3511 AB"


def test_r5_2_create_change_deactivate_and_search_suppliers_and_referrers(
    w: ReimbursementWorld,
) -> None:
    svc = w.xs.reimbursements
    other = svc.create_relation(
        CreateRelation(actor=w.admin, details=_details(vat_number="NL 0044.95445.B01"))
    )
    # a referrer may use a supplier's code: codes are unique per kind
    referrer = svc.create_relation(
        CreateRelation(actor=w.admin, kind=RelationKind.REFERRER, details=_details("lev2"))
    )
    found = svc.relations(ListRelations(actor=w.admin, term="lev"))
    assert [r.id for r in found] == [w.supplier, other]  # code prefix, then by name
    assert [r.id for r in svc.relations(ListRelations(actor=w.admin, term="weede"))] == [other]
    assert svc.relations(ListRelations(actor=w.admin, term="LEV2"))[0].id == other
    assert [
        r.id for r in svc.relations(ListRelations(actor=w.admin, kind=RelationKind.REFERRER))
    ] == [referrer]
    svc.change_relation(
        ChangeRelation(
            actor=w.admin,
            relation_id=other,
            details=_details(name="Derde", iban="de89 3704 0044 0532 0130 00"),
        )
    )
    svc.set_relation_active(SetRelationActive(actor=w.admin, relation_id=other, active=False))
    assert [r.id for r in svc.relations(ListRelations(actor=w.admin, active=True))] == [w.supplier]
    changed = svc.relations(ListRelations(actor=w.admin, active=False))[0]
    assert changed.name == "Derde" and changed.iban is not None
    assert changed.iban.compact == "DE89370400440532013000"
    assert changed.vat_number is None
    names = [e["relation_id"] for e in events(w.xs, "RelationDeactivated")]
    assert names == [str(other)]
    assert len(events(w.xs, "RelationCreated")) == 3
    assert len(events(w.xs, "RelationDetailsChanged")) == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"iban": "NL91 ABNA 0417 1643 01"}, "reimbursements.invalid_iban"),
        ({"iban": "XX91 ABNA 0417 1643 00"}, "reimbursements.invalid_iban"),
        ({"iban": "NL91 ABNA 0417"}, "reimbursements.invalid_iban"),
        ({"vat_number": "NL123456789B02"}, "vat.invalid_checksum"),
        ({"postcode": "0123 AB"}, "reimbursements.invalid_postcode"),
        ({"postcode": "1234 SS"}, "reimbursements.invalid_postcode"),
        ({"country": "N1"}, "reimbursements.invalid_country"),
        ({"code": "lev"}, "reimbursements.relation_code_in_use"),
        ({"code": " "}, "input.required"),
    ],
)
def test_r5_2_bad_supplier_input_is_refused_and_writes_nothing(
    w: ReimbursementWorld, changes: dict[str, str], code: str
) -> None:
    details = _details(**changes)
    _refused(
        w.xs,
        code,
        lambda: w.xs.reimbursements.create_relation(CreateRelation(actor=w.admin, details=details)),
    )


def test_r5_2_a_foreign_postcode_is_kept_as_given(w: ReimbursementWorld) -> None:
    relation = w.xs.reimbursements.create_relation(
        CreateRelation(actor=w.admin, details=_details(postcode="B-1000", country="be"))
    )
    found = w.xs.reimbursements.relations(ListRelations(actor=w.admin, term="LEV2"))
    assert found[0].id == relation
    assert (found[0].address.postcode, found[0].address.country) == ("B-1000", "BE")


# -- R5.4 reimbursement contract models -----------------------------------------------------------


def _model(w: ReimbursementWorld, kind: ContractKind, payer: Payer) -> Callable[[], object]:
    return lambda: w.xs.billing.create_contract_model(
        CreateContractModel(
            actor=w.admin,
            name="Vergoeding 2",
            kind=kind,
            billing_frequency=BillingFrequency.MONTHLY,
            active=DateRange(D(2026, 1, 1)),
            model_type=ContractModelType.REIMBURSEMENT,
            price_categories=(PriceCategory(activity_type="X", price=Money("1.00"), payer=payer),),
        )
    )


def test_r5_4_a_reimbursement_model_is_a_guidance_contract_paid_by_the_supplier(
    w: ReimbursementWorld,
) -> None:
    _refused(
        w.xs, "billing.reimbursement_not_guidance", _model(w, ContractKind.SALES, Payer.SUPPLIER)
    )
    _refused(
        w.xs,
        "billing.reimbursement_payer_not_supplier",
        _model(w, ContractKind.GUIDANCE, Payer.EMPLOYER),
    )
    _model(w, ContractKind.GUIDANCE, Payer.SUPPLIER)()
    created = [
        e for e in events(w.xs, "ContractModelCreated") if e["model_type"] == "reimbursement"
    ]
    assert len(created) == 2


def test_r5_4_a_reimbursement_model_cannot_be_linked_to_a_service_agreement(
    w: ReimbursementWorld,
) -> None:
    _refused(
        w.xs,
        "billing.reimbursement_model_not_for_agreement",
        lambda: w.xs.billing.conclude_agreement(
            ConcludeAgreement(
                actor=w.admin,
                employer_id=w.employer,
                contract_model_id=w.model,
                period=DateRange(D(2026, 1, 1)),
            )
        ),
    )


# -- R5.3 user contract settings ------------------------------------------------------------------


def test_r5_3_settings_are_dated_and_the_day_performed_counts(w: ReimbursementWorld) -> None:
    second = w.xs.reimbursements.create_relation(CreateRelation(actor=w.admin, details=_details()))
    w.xs.reimbursements.set_contract_settings(
        SetContractSettings(
            actor=w.admin,
            user_id=w.anna,
            valid_from=D(2026, 2, 1),
            reimbursed_via_supplier=True,
            supplier_id=second,
            contract_model_id=w.model,
        )
    )
    before = w.register(w.anna, D(2026, 1, 31))
    after = w.register(w.anna, D(2026, 2, 1))
    w.offer(Q1)
    batch = w.generate(D(2026, 3, 31))
    assert set(_lines(w, batch.id)) == {before}
    other = w.xs.reimbursements.generate(
        GenerateReimbursementBatch(
            actor=w.admin,
            supplier_id=second,
            contract_model_id=w.model,
            reference_date=D(2026, 3, 31),
        )
    )
    assert set(_lines(w, other.id)) == {after}
    settings = w.xs.reimbursements.contract_settings(
        GetContractSettings(actor=w.admin, user_id=w.anna)
    )
    assert [(v.valid.start, v.valid.end) for v in settings.versions] == [
        (D(2025, 1, 1), D(2026, 2, 1)),
        (D(2026, 2, 1), None),
    ]
    assert settings.on(D(2026, 1, 31)) is not None
    assert [e["valid_from"] for e in events(w.xs, "UserContractSettingsChanged")][
        -1
    ] == "2026-02-01"


def test_r5_3_a_user_whose_settings_forbid_it_cannot_register_activities(
    w: ReimbursementWorld,
) -> None:
    w.xs.reimbursements.set_contract_settings(
        SetContractSettings(
            actor=w.admin, user_id=w.bert, valid_from=D(2026, 6, 1), may_register_activities=False
        )
    )
    w.register(w.bert, D(2026, 5, 31))
    _refused(
        w.xs,
        "reimbursements.may_not_register_activities",
        lambda: w.register(w.bert, D(2026, 6, 1)),
    )


@pytest.mark.parametrize(
    ("reimbursed", "supplier", "model", "code"),
    [
        (True, None, "reimbursement", "reimbursements.settings_incomplete"),
        (False, "supplier", None, "reimbursements.settings_inconsistent"),
        (True, "supplier", "service", "reimbursements.not_a_reimbursement_model"),
        (True, "referrer", "reimbursement", "reimbursements.not_a_supplier"),
    ],
)
def test_r5_3_bad_settings_are_refused(
    w: ReimbursementWorld, reimbursed: bool, supplier: str | None, model: str | None, code: str
) -> None:
    models = w.xs.billing.contract_models(ListContractModels(actor=w.admin))
    referrer = w.xs.reimbursements.create_relation(
        CreateRelation(actor=w.admin, kind=RelationKind.REFERRER, details=_details())
    )
    suppliers = {None: None, "supplier": w.supplier, "referrer": referrer}
    chosen = {
        None: None,
        "reimbursement": w.model,
        "service": next(m.id for m in models if not m.is_reimbursement),
    }
    cmd = SetContractSettings(
        actor=w.admin,
        user_id=w.anna,
        valid_from=D(2026, 1, 1),
        reimbursed_via_supplier=reimbursed,
        supplier_id=suppliers[supplier],
        contract_model_id=chosen[model],
    )
    _refused(w.xs, code, lambda: w.xs.reimbursements.set_contract_settings(cmd))


# -- R5.5 batches ---------------------------------------------------------------------------------


def test_r5_5_a_batch_takes_offered_activities_up_to_and_including_the_reference_date(
    w: ReimbursementWorld,
) -> None:
    on_reference = w.register(w.anna, D(2026, 3, 15))
    after_reference = w.register(w.anna, D(2026, 3, 16))
    zero = w.register(w.bert, D(2026, 1, 2), "Telefonisch")
    unpriced = w.register(w.bert, D(2026, 1, 3), "Huisbezoek")  # no reimbursement in the model
    w.offer(Q1)
    released = w.register(w.anna, D(2026, 3, 1))  # registered after the invoice: not offered
    batch = w.generate(D(2026, 3, 15))
    lines = w.xs.reimbursements.lines(ReimbursementBatchLines(actor=w.admin, batch_id=batch.id))
    assert {line.activity_id for line in lines} == {on_reference, zero}
    assert after_reference not in _lines(w, batch.id) and released not in _lines(w, batch.id)
    assert unpriced not in _lines(w, batch.id)
    amounts = {line.activity_id: line.amount for line in lines}
    assert amounts == {on_reference: Money("40.00"), zero: Money("0.00")}  # R5.4: zero is a line
    assert batch.status is BatchStatus.DRAFT
    assert (batch.counts.lines, batch.counts.reimbursed, str(batch.counts.total)) == (
        2,
        2,
        "€ 40.00",
    )
    [generated] = events(w.xs, "ReimbursementBatchGenerated")
    assert generated["lines"] == 2 and generated["reference_date"] == "2026-03-15"


def test_r5_5_only_the_chosen_contract_holders(w: ReimbursementWorld) -> None:
    anna = w.register(w.anna, D(2026, 2, 1))
    w.register(w.bert, D(2026, 2, 1))
    w.offer(Q1)
    batch = w.generate(D(2026, 3, 31), frozenset({w.anna}))
    assert set(_lines(w, batch.id)) == {anna}


def test_r5_5_an_activity_is_in_one_draft_batch_and_a_discarded_draft_frees_it(
    w: ReimbursementWorld,
) -> None:
    activity = w.register(w.anna, D(2026, 2, 1))
    w.offer(Q1)
    first = w.generate(D(2026, 3, 31))
    second = w.generate(D(2026, 3, 31))
    assert set(_lines(w, first.id)) == {activity} and _lines(w, second.id) == {}
    w.xs.reimbursements.discard(DiscardReimbursementBatch(actor=w.admin, batch_id=first.id))
    regenerated = w.xs.reimbursements.regenerate(
        RegenerateReimbursementBatch(actor=w.admin, batch_id=second.id)
    )
    assert set(_lines(w, second.id)) == {activity} and regenerated.counts.lines == 1
    listed = w.xs.reimbursements.batches(ListReimbursementBatches(actor=w.admin))
    assert [b.id for b in listed] == [second.id]
    assert len(events(w.xs, "ReimbursementBatchDiscarded")) == 1


def test_r5_5_postponed_comes_back_excluded_never_reimbursed_once(w: ReimbursementWorld) -> None:
    postponed = w.register(w.anna, D(2026, 1, 10))
    excluded = w.register(w.anna, D(2026, 1, 11))
    paid = w.register(w.bert, D(2026, 1, 12))
    w.offer(Q1)
    first = w.generate(D(2026, 3, 31))
    _decide(w, first.id, LineDecision.POSTPONE, postponed)
    _decide(w, first.id, LineDecision.EXCLUDE, excluded)
    # a regenerated draft keeps the decisions of its lines
    w.xs.reimbursements.regenerate(RegenerateReimbursementBatch(actor=w.admin, batch_id=first.id))
    assert _lines(w, first.id) == {
        postponed: LineDecision.POSTPONE,
        excluded: LineDecision.EXCLUDE,
        paid: LineDecision.REIMBURSE,
    }
    _finalise(w, first.id)
    final = w.xs.reimbursements.batch(GetReimbursementBatch(actor=w.admin, batch_id=first.id))
    assert final.status is BatchStatus.FINAL and final.finalised_on == D(2026, 11, 29)
    assert (final.counts.reimbursed, final.counts.excluded, final.counts.postponed) == (1, 1, 1)
    assert str(final.counts.total) == "€ 40.00"
    second = w.generate(D(2026, 3, 31))
    assert _lines(w, second.id) == {postponed: LineDecision.REIMBURSE}
    _finalise(w, second.id)
    assert _lines(w, w.generate(D(2026, 11, 29)).id) == {}
    [finalised, _] = events(w.xs, "ReimbursementBatchFinalised")
    assert (finalised["reimbursed"], finalised["excluded"], finalised["postponed"]) == (1, 1, 1)


def test_r5_5_a_final_batch_never_changes(w: ReimbursementWorld) -> None:
    activity = w.register(w.anna, D(2026, 1, 10))
    w.offer(Q1)
    batch = w.generate(D(2026, 3, 31)).id
    _finalise(w, batch)
    svc = w.xs.reimbursements
    _refused(
        w.xs,
        "reimbursements.batch_final",
        lambda: _decide(w, batch, LineDecision.EXCLUDE, activity),
    )
    _refused(w.xs, "reimbursements.batch_final", lambda: _finalise(w, batch))
    _refused(
        w.xs,
        "reimbursements.batch_final",
        lambda: svc.regenerate(RegenerateReimbursementBatch(actor=w.admin, batch_id=batch)),
    )
    _refused(
        w.xs,
        "reimbursements.batch_final",
        lambda: svc.discard(DiscardReimbursementBatch(actor=w.admin, batch_id=batch)),
    )


def test_r5_5_bad_batch_input_is_refused_and_writes_nothing(w: ReimbursementWorld) -> None:
    released = w.register(w.anna, D(2026, 1, 10))
    batch = w.generate(D(2026, 3, 31)).id
    svc = w.xs.reimbursements
    _refused(
        w.xs,
        "reimbursements.reference_date_in_future",
        lambda: w.generate(D(2026, 11, 30)),
    )
    _refused(
        w.xs,
        "reimbursements.activity_not_offered",
        lambda: _decide(w, batch, LineDecision.EXCLUDE, released),
    )
    _refused(
        w.xs,
        "reimbursements.activity_not_in_batch",
        lambda: _decide(w, batch, LineDecision.EXCLUDE, uuid.uuid4()),
    )
    _refused(
        w.xs,
        "reimbursements.not_a_reimbursement_model",
        lambda: svc.generate(
            GenerateReimbursementBatch(
                actor=w.admin,
                supplier_id=w.supplier,
                contract_model_id=next(
                    m.id
                    for m in w.xs.billing.contract_models(ListContractModels(actor=w.admin))
                    if not m.is_reimbursement
                ),
                reference_date=D(2026, 3, 31),
            )
        ),
    )
    _refused(
        w.xs,
        "reimbursements.batch_not_final",
        lambda: svc.export_csv(
            ExportReimbursementBatch(actor=w.admin, batch_id=batch), io.StringIO()
        ),
    )
    svc.set_relation_active(SetRelationActive(actor=w.admin, relation_id=w.supplier, active=False))
    _refused(w.xs, "reimbursements.supplier_inactive", lambda: w.generate(D(2026, 3, 31)))


# -- payment --------------------------------------------------------------------------------------


def test_r5_5_a_final_batch_exports_csv_and_a_sepa_transfer_valid_against_the_xsd(
    w: ReimbursementWorld,
) -> None:
    first = w.register(w.anna, D(2026, 1, 10))
    w.register(w.bert, D(2026, 1, 11))
    w.register(w.bert, D(2026, 1, 12), "Telefonisch")
    w.offer(Q1)
    batch = w.generate(D(2026, 3, 31)).id
    _decide(w, batch, LineDecision.POSTPONE, first)
    _finalise(w, batch)
    out = io.StringIO()
    svc = w.xs.reimbursements
    assert svc.export_csv(ExportReimbursementBatch(actor=w.admin, batch_id=batch), out) == 3
    rows = [r.split(",") for r in out.getvalue().splitlines()]
    assert rows[0][-2:] == ["decision", "amount"]
    assert [(r[6], r[8], r[9]) for r in rows[1:]] == [
        ("2026-01-10", "postpone", "40.00"),
        ("2026-01-11", "reimburse", "40.00"),
        ("2026-01-12", "reimburse", "0.00"),
    ]
    document = svc.export_sepa(
        ExportSepaTransfer(
            actor=w.admin,
            batch_id=batch,
            paying_account=PayingAccount(name="Arbodienst", iban=PAYING_IBAN),
            execution_date=D(2026, 12, 1),
        )
    )
    schema = xmlschema.XMLSchema(schema_path())
    schema.validate(document.decode())
    tree = schema.to_dict(document.decode())
    info = tree["CstmrCdtTrfInitn"]["PmtInf"][0]
    tx = info["CdtTrfTxInf"][0]
    assert tree["CstmrCdtTrfInitn"]["GrpHdr"]["CtrlSum"] == Money("40.00").amount
    assert tx["CdtrAcct"]["Id"]["IBAN"] == "NL91ABNA0417164300"
    assert tx["Amt"]["InstdAmt"]["$"] == Money("40.00").amount
    assert info["DbtrAcct"]["Id"]["IBAN"] == "NL44RABO0123456789"
    assert info["ReqdExctnDt"] == "2026-12-01"


def test_r5_5_nothing_to_pay_and_a_bad_paying_account_are_refused(w: ReimbursementWorld) -> None:
    w.register(w.anna, D(2026, 1, 12), "Telefonisch")
    w.offer(Q1)
    batch = w.generate(D(2026, 3, 31)).id
    _finalise(w, batch)

    def sepa(iban: str) -> object:
        return w.xs.reimbursements.export_sepa(
            ExportSepaTransfer(
                actor=w.admin, batch_id=batch, paying_account=PayingAccount(name="A", iban=iban)
            )
        )

    _refused(w.xs, "reimbursements.nothing_to_pay", lambda: sepa(PAYING_IBAN))
    _refused(w.xs, "reimbursements.invalid_iban", lambda: sepa("NL00 RABO 0123 4567 89"))
