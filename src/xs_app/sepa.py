"""SEPA credit transfers (``pain.001.001.03``) through ``sepaxml`` (R5.5 payment).

Imported when a transfer is first made: ``sepaxml`` (and ``xmlschema``, with which it validates
the file against the schema it ships) is not loaded by ``import xs``.
"""

from __future__ import annotations

import datetime as _dt
import uuid

from xs_core.errors import InvalidInput, register_messages
from xs_core.reimbursements.relations import Iban

#: the schema of the files made here (shipped by sepaxml, beside its module)
SCHEMA = "pain.001.001.03"

register_messages(
    {
        "reimbursements.sepa_invalid": (
            "Het SEPA-bestand voldoet niet aan {schema}: {reason}.",
            "The SEPA file does not conform to {schema}: {reason}.",
        ),
    },
    kind=InvalidInput,
)


def schema_path() -> str:
    """The XSD that sepaxml ships for :data:`SCHEMA`."""
    import os

    import sepaxml

    return os.path.join(os.path.dirname(sepaxml.__file__), "schemas", f"{SCHEMA}.xsd")


def credit_transfer(
    *,
    debtor_name: str,
    debtor: Iban,
    creditor_name: str,
    creditor: Iban,
    cents: int,
    execution_date: _dt.date,
    reference: uuid.UUID,
) -> bytes:
    """One payment of ``cents`` from the debtor to the creditor, as a validated XML document.
    The end-to-end id is the batch's id (32 hexadecimal characters, within SEPA's 35)."""
    from sepaxml import SepaTransfer
    from sepaxml.validation import ValidationError

    config: dict[str, object] = {
        "name": debtor_name,
        "IBAN": debtor.compact,
        "batch": True,
        "currency": "EUR",
    }
    if debtor.bic:
        config["BIC"] = debtor.bic
    transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
    payment: dict[str, object] = {
        "name": creditor_name,
        "IBAN": creditor.compact,
        "amount": cents,
        "execution_date": _dt.date(execution_date.year, execution_date.month, execution_date.day),
        "description": f"Vergoedingsbatch {reference}",
        "endtoend_id": reference.hex,
    }
    if creditor.bic:
        payment["BIC"] = creditor.bic
    transfer.add_payment(payment)
    try:
        return bytes(transfer.export(validate=True))
    except ValidationError as error:
        raise InvalidInput(
            "reimbursements.sepa_invalid",
            {"rule": "R5.5", "schema": SCHEMA, "reason": str(error.__cause__ or error)[:200]},
        ) from None
