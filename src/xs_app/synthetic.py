"""A deterministic synthetic organisation (Faker ``nl_NL`` data, a fixed seed).

Used by ``xs demo``, ``xs generate`` and the benchmarks: the same seed and sizes always give the
same organisation, ids included.
"""

from __future__ import annotations

import datetime as _dt
import random
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal

import attrs
import pendulum
from faker import Faker
from faker.providers.address.nl_NL import Provider as AddressData
from faker.providers.person.nl_NL import Provider as PersonData

from xs_core.dates import DateRange, as_date
from xs_core.money import Money
from xs_core.organisation.model import (
    Address,
    Branch,
    ContactPerson,
    Department,
    Dossier,
    Employee,
    Employer,
    Employment,
    EmploymentType,
    Folder,
    Gender,
)
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.uow import UnitOfWork

DEPARTMENT_NAMES = (
    "Inkoop",
    "Verkoop",
    "Logistiek",
    "Productie",
    "Financiën",
    "Personeelszaken",
    "ICT",
    "Klantenservice",
    "Onderhoud",
    "Kwaliteit",
    "Marketing",
    "Juridische zaken",
    "Facilitair",
    "Planning",
    "Magazijn",
    "Expeditie",
    "Administratie",
    "Zorg",
    "Verpleging",
    "Keuken",
    "Receptie",
    "Beveiliging",
    "Schoonmaak",
    "Techniek",
    "Onderzoek",
    "Opleidingen",
)
ACCENTED_FIRST = (
    "José",
    "Chloë",
    "Zoë",
    "Anaïs",
    "Renée",
    "Noël",
    "Sören",
    "Inès",
    "Céline",
    "Ömer",
    "Gülşen",
    "Łukasz",
    "Agnès",
    "Hélène",
    "Mélanie",
)
ACCENTED_LAST = (
    "Müller",
    "Çelik",
    "Öztürk",
    "Yılmaz",
    "Doğan",
    "Søren",
    "Hernández",
    "Gómez",
    "Wójcik",
    "Dvořák",
    "Lefèvre",
    "Brûlé",
    "Ünal",
    "Kılıç",
)
EMPLOYER_SUFFIXES = ("B.V.", "N.V.", "Groep", "Holding", "& Zn.", "Zorg", "Techniek", "Services")
EPOCH = pendulum.Date(2026, 1, 1)


@attrs.frozen
class SyntheticSize:
    folders: int = 5
    employers: int = 20
    departments: int = 120
    branches: int = 40
    employees: int = 400

    @classmethod
    def benchmark(cls) -> SyntheticSize:
        """10k employers, 100k departments, 1M employees (the search benchmark's data)."""
        return cls(
            folders=100, employers=10_000, departments=100_000, branches=20_000, employees=1_000_000
        )


@attrs.frozen
class SyntheticOrganisation:
    folders: list[Folder]
    employers: list[Employer]
    departments: list[Department]
    branches: list[Branch]
    dossiers: list[Dossier]


class SyntheticGenerator:
    """Generates folders, employers, departments, branches, then employees in batches."""

    def __init__(self, seed: int = 2021, size: SyntheticSize | None = None) -> None:
        self.seed = seed
        self.size = size or SyntheticSize()
        self._rng = random.Random(seed)
        self._faker = Faker("nl_NL")
        self._faker.seed_instance(seed)
        self._first_male = list(PersonData.first_names_male)
        self._first_female = list(PersonData.first_names_female)
        self._last = [n for n in PersonData.last_names if len(n) < 40]
        self._prefixes = ["", "", "", "van ", "de ", "van der ", "van den ", "de "]
        self._cities = list(AddressData.cities)
        self._employers: list[Employer] = []
        self._departments_by_employer: dict[uuid.UUID, list[Department]] = {}

    def _id(self) -> uuid.UUID:
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)

    def _date(self, first: _dt.date, last: _dt.date) -> _dt.date:
        return first + _dt.timedelta(days=self._rng.randrange((last - first).days + 1))

    def organisation(self) -> SyntheticOrganisation:
        """Everything but the employees."""
        rng, size = self._rng, self.size
        folders = [
            Folder(id=self._id(), name=f"Map {self._faker.province()} {i + 1}")
            for i in range(size.folders)
        ]
        employers: list[Employer] = []
        for number in range(1, size.employers + 1):
            name = f"{self._faker.last_name()} {rng.choice(EMPLOYER_SUFFIXES)}"
            employer = Employer(
                id=self._id(),
                name=name,
                code=f"WG{number:05d}",
                folder_id=rng.choice(folders).id if folders and rng.random() < 0.8 else None,
            )
            for position in range(rng.randint(0, 3)):
                employer.contact_persons.append(
                    ContactPerson(
                        id=self._id(),
                        name=f"{rng.choice(self._first_female)} {rng.choice(self._last)}",
                        role=rng.choice([None, "HR-adviseur", "Directeur", "Casemanager"]),
                        email=f"contact{number}.{position}@example.nl",
                        phone=f"+31{rng.randint(100000000, 999999999)}",
                    )
                )
            employers.append(employer)
        departments: list[Department] = []
        for index in range(size.departments):
            employer = (
                employers[index % len(employers)]
                if index < len(employers)
                else (rng.choice(employers))
            )
            own = self._departments_by_employer.setdefault(employer.id, [])
            parent = rng.choice(own) if own and rng.random() < 0.3 else None
            department = Department(
                id=self._id(),
                employer_id=employer.id,
                name=f"{rng.choice(DEPARTMENT_NAMES)} {rng.choice(self._cities)}",
                code=f"AF{len(own) + 1:03d}",
                parent_id=None if parent is None else parent.id,
            )
            own.append(department)
            departments.append(department)
        branches = [
            Branch(
                id=self._id(),
                employer_id=rng.choice(employers).id,
                name=f"Vestiging {city}",
                code=f"V{i + 1:05d}",
                address=Address.create(
                    self._faker.street_name(),
                    str(rng.randint(1, 200)),
                    f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
                    f"{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}",
                    city,
                ),
            )
            for i, city in enumerate(rng.choice(self._cities) for _ in range(size.branches))
        ]
        dossiers = [
            Dossier(id=self._id(), unit=UnitRef(UnitKind.DEPARTMENT, d.id), opened_on=EPOCH)
            for d in departments
            if rng.random() < 0.5
        ]
        self._employers = employers
        return SyntheticOrganisation(folders, employers, departments, branches, dossiers)

    def _name(self) -> tuple[str, str, Gender]:
        rng = self._rng
        gender = Gender.FEMALE if rng.random() < 0.5 else Gender.MALE
        pool = self._first_female if gender is Gender.FEMALE else self._first_male
        first = rng.choice(ACCENTED_FIRST) if rng.random() < 0.04 else rng.choice(pool)
        last = rng.choice(ACCENTED_LAST) if rng.random() < 0.04 else rng.choice(self._last)
        prefix = rng.choice(self._prefixes)
        return first, (last if " " in last else prefix + last), gender

    def employees(self, batch_size: int = 50_000) -> Iterator[list[Employee]]:
        """The employees, in batches; call :meth:`organisation` first."""
        if not self._employers:
            raise RuntimeError("generate the organisation first")
        rng = self._rng
        batch: list[Employee] = []
        for number in range(1, self.size.employees + 1):
            first, last, gender = self._name()
            employee = Employee(
                id=self._id(),
                first_name=first,
                last_name=last,
                birth_date=None,
                gender=gender,
                personnel_number=f"P{number:07d}",
            )
            born = self._date(_dt.date(1955, 1, 1), _dt.date(2006, 12, 31))
            employee.birth_date = as_date(born)
            for count in range(2 if rng.random() < 0.1 else 1):
                employer = rng.choice(self._employers)
                own = self._departments_by_employer.get(employer.id, [])
                adult = born + _dt.timedelta(days=18 * 366)
                start = self._date(max(adult, _dt.date(1990, 1, 1)), _dt.date(2026, 6, 30))
                end = None
                if rng.random() < 0.15:
                    end = start + _dt.timedelta(days=rng.randint(30, 3000))
                employee.employments.append(
                    Employment.create(
                        id=self._id(),
                        employer_id=employer.id,
                        department_id=rng.choice(own).id if own else None,
                        period=DateRange(start, end),
                        employment_type=rng.choice(list(EmploymentType)),
                        hours_per_week=Decimal(rng.choice([16, 24, 32, 36, 38, 40])),
                        salary=Money(Decimal(rng.randint(24_000, 120_000))),
                        job_title=rng.choice(["Medewerker", "Teamleider", "Adviseur", "Monteur"]),
                        is_leading=count == 0,
                    )
                )
            batch.append(employee)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch


def load(
    uow_factory: Callable[..., UnitOfWork],
    generator: SyntheticGenerator,
    progress: Callable[[int], None] | None = None,
) -> SyntheticOrganisation:
    """Write a synthetic organisation set-based: the units at once, the employees per batch
    (one transaction per batch, so that progress can be shown and memory stays bounded)."""
    organisation = generator.organisation()
    with uow_factory() as uow:
        uow.bulk.add_all(
            folders=organisation.folders,
            employers=organisation.employers,
            departments=organisation.departments,
            branches=organisation.branches,
            dossiers=organisation.dossiers,
        )
        uow.commit()
    for batch in generator.employees():
        with uow_factory() as uow:
            uow.bulk.add_all(employees=batch)
            uow.commit()
        if progress is not None:
            progress(len(batch))
    return organisation
