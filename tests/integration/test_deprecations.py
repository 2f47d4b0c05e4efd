"""The positional calls of 0.1 keep working for one release, with a DeprecationWarning (the
version policy in CHANGELOG.md)."""

from __future__ import annotations

import pytest

import xs
from xs_adapters.clock import FixedClock


def test_positional_calls_of_0_1_still_work_and_warn(clock: FixedClock) -> None:
    app = xs.bootstrap(storage="memory", clock=clock)
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = app.organisation.create_employer(
        xs.CreateEmployer(actor=admin, name="Bakkerij", code="BAK")
    )
    with pytest.warns(DeprecationWarning, match=r"employer\(actor, employer_id\) is deprecated"):
        found = app.organisation.employer(admin, employer)  # type: ignore[call-arg,arg-type]
    assert found.id == employer
    with pytest.warns(DeprecationWarning, match="EmployerByCode"):
        by_code = app.organisation.employer_by_code(admin, "BAK")  # type: ignore[call-arg,arg-type]
    assert by_code is not None and by_code.id == employer
    with pytest.warns(DeprecationWarning, match="ListContractModels"):
        assert app.billing.contract_models(admin) == []  # type: ignore[arg-type]
    pending = app.outbox.pending()
    with pytest.warns(DeprecationWarning, match="acknowledge"):
        app.outbox.mark_dispatched([m.id for m in pending])
    assert app.outbox.pending() == []


def test_the_new_calls_do_not_warn(clock: FixedClock, recwarn: pytest.WarningsRecorder) -> None:
    app = xs.bootstrap(storage="memory", clock=clock)
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    app.billing.contract_models(xs.ListContractModels(actor=admin))
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]
