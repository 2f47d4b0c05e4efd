"""SQLAlchemy Core tables of xs. The schema evolves through Alembic migrations only.

Text lengths are the core's limits (:mod:`xs_core.limits`): the core refuses what a column cannot
hold, identically on every engine (R0.5). Changing a limit needs a migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ExcludeConstraint

from xs_adapters.sql.types import Cents, PendulumDate, SearchText, UtcDateTime
from xs_core import limits

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)

# -- organisation (R1.1–R1.5) ---------------------------------------------------------------------

folders = sa.Table(
    "folders",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
)

employers = sa.Table(
    "employers",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("code", sa.String(limits.CODE)),
    sa.Column("code_norm", SearchText),
    sa.Column("folder_id", sa.Uuid, sa.ForeignKey("folders.id")),
    sa.Column("vat_number", sa.String(limits.VAT_NUMBER)),
    sa.Index("ix_employers_folder_id", "folder_id"),
    sa.Index("uq_employers_code_norm", "code_norm", unique=True),
)

employer_contact_persons = sa.Table(
    "employer_contact_persons",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "employer_id", sa.Uuid, sa.ForeignKey("employers.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("role", sa.String(limits.CONTACT_ROLE)),
    sa.Column("email", sa.String(limits.EMAIL)),
    sa.Column("phone", sa.String(limits.PHONE)),
    sa.UniqueConstraint("employer_id", "position", name="uq_contact_persons_position"),
)

departments = sa.Table(
    "departments",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id"), nullable=False),
    sa.Column("parent_id", sa.Uuid, sa.ForeignKey("departments.id")),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("code", sa.String(limits.CODE)),
    sa.Column("code_norm", SearchText),
    sa.Index("ix_departments_employer_id", "employer_id"),
    sa.Index("ix_departments_parent_id", "parent_id"),
    sa.Index("uq_departments_employer_code", "employer_id", "code_norm", unique=True),
)

branches = sa.Table(
    "branches",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id"), nullable=False),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("code", sa.String(limits.CODE)),
    sa.Column("street", sa.String(limits.STREET), nullable=False, server_default=""),
    sa.Column("house_number", sa.String(limits.HOUSE_NUMBER), nullable=False, server_default=""),
    sa.Column("postcode", sa.String(limits.POSTCODE), nullable=False, server_default=""),
    sa.Column("city", sa.String(limits.CITY), nullable=False, server_default=""),
    sa.Index("ix_branches_employer_id", "employer_id"),
)

employees = sa.Table(
    "employees",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("first_name", sa.String(limits.FIRST_NAME), nullable=False),
    sa.Column("last_name", sa.String(limits.LAST_NAME), nullable=False),
    sa.Column("birth_date", PendulumDate),
    sa.Column("gender", sa.String(limits.GENDER), nullable=False),
    sa.Column("personnel_number", sa.String(limits.PERSONNEL_NUMBER)),
)

employments = sa.Table(
    "employments",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "employee_id", sa.Uuid, sa.ForeignKey("employees.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id"), nullable=False),
    sa.Column("start_date", PendulumDate, nullable=False),
    sa.Column("end_date", PendulumDate),
    sa.Column("is_leading", sa.Boolean, nullable=False),
    sa.Column("end_reason", sa.String(limits.ENUM)),
    sa.CheckConstraint("end_date IS NULL OR end_date > start_date", name="period_not_empty"),
    sa.Index("ix_employments_employee_id", "employee_id"),
    sa.Index("ix_employments_employer_id", "employer_id", "start_date"),
    # R6.6: the employees of an employer by id range (the nightly evaluation's chunks)
    sa.Index("ix_employments_employer_employee", "employer_id", "employee_id"),
)

# R2.3: the history of an employment's conditions, non-overlapping and contiguous.
employment_versions = sa.Table(
    "employment_versions",
    metadata,
    sa.Column(
        "employment_id",
        sa.Uuid,
        sa.ForeignKey("employments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("valid_from", PendulumDate, primary_key=True),
    sa.Column("valid_until", PendulumDate),
    sa.Column("department_id", sa.Uuid, sa.ForeignKey("departments.id")),
    sa.Column("employment_type", sa.String(limits.ENUM), nullable=False),
    sa.Column("hours_per_week", sa.Numeric(6, 2), nullable=False),
    sa.Column("salary", Cents),
    sa.Column("job_title", sa.String(limits.JOB_TITLE)),
    sa.CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name="valid_not_empty"),
    sa.Index("ix_employment_versions_department_id", "department_id"),
)

dossiers = sa.Table(
    "dossiers",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("unit_kind", sa.String(limits.ENUM), nullable=False),
    sa.Column("unit_id", sa.Uuid, nullable=False),
    sa.Column("opened_on", PendulumDate, nullable=False),
    sa.UniqueConstraint("unit_kind", "unit_id", name="uq_dossiers_unit"),
)

# -- search index (R1.3): one entry per unit, one scope row per place the unit lives -------------

search_entries = sa.Table(
    "search_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(limits.ENUM), nullable=False),
    sa.Column("unit_id", sa.Uuid, nullable=False),
    sa.Column("kind_order", sa.SmallInteger, nullable=False),
    sa.Column("name", sa.String(limits.SEARCH_NAME), nullable=False),
    sa.Column("code", sa.String(limits.CODE)),
    sa.Column("name_norm", SearchText, nullable=False),
    sa.Column("code_norm", SearchText),
    sa.UniqueConstraint("kind", "unit_id", name="uq_search_entries_unit"),
    # INCLUDE: a scoped walk checks each entry from the index alone (migration 0019)
    sa.Index(
        "ix_search_entries_name_norm",
        "name_norm",
        "kind_order",
        "unit_id",
        postgresql_include=["id", "kind", "code_norm"],
    ),
    sa.Index("ix_search_entries_code_norm", "code_norm"),
)

#: PostgreSQL (R1.3): the scope rows a search inside whole employers ranks — an employer's own
#: rows (its employees without a department, and its departments), not the rows that repeat an
#: employee per department. The employer index holds these rows only (a partial index); a
#: statement states the condition literally so that the planner may use it.
OWN_SCOPE_ROWS = "department_id IS NULL OR kind = 'department'"

search_entry_scopes = sa.Table(
    "search_entry_scopes",
    metadata,
    sa.Column(
        "entry_id",
        sa.Integer,
        sa.ForeignKey("search_entries.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("employer_id", sa.Uuid),
    sa.Column("department_id", sa.Uuid),
    # The entry's ranking columns, copied: a scope's entries are ranked from one index range
    # (an index-only scan) without visiting search_entries row by row.
    sa.Column("kind", sa.String(limits.ENUM), nullable=False),
    sa.Column("kind_order", sa.SmallInteger, nullable=False),
    sa.Column("unit_id", sa.Uuid, nullable=False),
    sa.Column("name_norm", SearchText, nullable=False),
    sa.Column("code_norm", SearchText),
    sa.Index(
        "ix_search_entry_scopes_entry_id",
        "entry_id",
        postgresql_include=["employer_id", "department_id"],
    ),
    sa.Index(
        "ix_search_entry_scopes_employer_rank",
        "employer_id",
        "kind",
        "name_norm",
        "code_norm",
        "kind_order",
        "unit_id",
        "entry_id",
        # PostgreSQL: an employer's own rows only — its employees without a department and
        # its departments, not the rows repeating an employee per department (migration 0024;
        # see ``_scope_first_statement``, which states the same condition)
        postgresql_where=sa.text(OWN_SCOPE_ROWS),
    ),
    sa.Index(
        "ix_search_entry_scopes_department_rank",
        "department_id",
        "kind",
        "name_norm",
        "code_norm",
        "kind_order",
        "unit_id",
        "entry_id",
    ),
)

# -- access (R0.6) --------------------------------------------------------------------------------

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("kind", sa.String(limits.ENUM), nullable=False),
)

role_features = sa.Table(
    "role_features",
    metadata,
    sa.Column("role_id", sa.Uuid, sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("feature", sa.String(limits.FEATURE), primary_key=True),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("email", sa.String(limits.EMAIL), nullable=False),
    sa.Column("email_norm", sa.String(limits.EMAIL), nullable=False),
    sa.Column("is_super_administrator", sa.Boolean, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.UniqueConstraint("email_norm", name="uq_users_email_norm"),
)

user_roles = sa.Table(
    "user_roles",
    metadata,
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role_id", sa.Uuid, sa.ForeignKey("roles.id"), primary_key=True),
)

user_scope_units = sa.Table(
    "user_scope_units",
    metadata,
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_kind", sa.String(limits.ENUM), primary_key=True),
    sa.Column("unit_id", sa.Uuid, primary_key=True),
)

# -- protocols and trajectories (R2.1–R2.5) -------------------------------------------------------

protocols = sa.Table(
    "protocols",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("kind", sa.String(limits.ENUM), nullable=False),
    sa.Column("may_start_in_bulk", sa.Boolean, nullable=False),
    sa.Column("bulk_end_date_may_be_empty", sa.Boolean, nullable=False),
    sa.Column("end_date_may_be_in_future", sa.Boolean, nullable=False),
)

protocol_task_templates = sa.Table(
    "protocol_task_templates",
    metadata,
    sa.Column(
        "protocol_id", sa.Uuid, sa.ForeignKey("protocols.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(limits.TASK_CODE), nullable=False),
    sa.Column("title", sa.String(limits.TASK_TITLE), nullable=False),
)

protocol_variations = sa.Table(
    "protocol_variations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "protocol_id", sa.Uuid, sa.ForeignKey("protocols.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
)

trajectories = sa.Table(
    "trajectories",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("protocol_id", sa.Uuid, sa.ForeignKey("protocols.id"), nullable=False),
    sa.Column("kind", sa.String(limits.ENUM), nullable=False),
    sa.Column("employee_id", sa.Uuid, sa.ForeignKey("employees.id"), nullable=False),
    sa.Column("employment_id", sa.Uuid, sa.ForeignKey("employments.id", ondelete="SET NULL")),
    sa.Column("start_date", PendulumDate, nullable=False),
    #: exclusive end (R0.2); the closing date users see is end_date - 1 day
    sa.Column("end_date", PendulumDate),
    sa.Column("bulk_request_id", sa.Uuid),
    sa.Column("compensation_added", sa.Boolean),
    sa.Column("compensation_reason", sa.String(limits.REASON_CODE)),
    sa.CheckConstraint("end_date IS NULL OR end_date > start_date", name="period_not_empty"),
    sa.Index("ix_trajectories_employee_id", "employee_id"),
    sa.Index("ix_trajectories_protocol_open", "protocol_id", "end_date", "employee_id"),
    sa.Index("ix_trajectories_bulk_request_id", "bulk_request_id"),
)

trajectory_tasks = sa.Table(
    "trajectory_tasks",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "trajectory_id",
        sa.Uuid,
        sa.ForeignKey("trajectories.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("code", sa.String(limits.TASK_CODE), nullable=False),
    sa.Column("title", sa.String(limits.TASK_TITLE), nullable=False),
    sa.Column("added_on", PendulumDate, nullable=False),
    sa.Column("reason", sa.String(limits.TASK_REASON)),
    sa.Index("ix_trajectory_tasks_trajectory_id", "trajectory_id"),
)

recovery_reports = sa.Table(
    "recovery_reports",
    metadata,
    sa.Column(
        "trajectory_id",
        sa.Uuid,
        sa.ForeignKey("trajectories.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("date", PendulumDate, primary_key=True),
    sa.Column("recovered_percentage", sa.SmallInteger, nullable=False),
    sa.CheckConstraint("recovered_percentage BETWEEN 1 AND 100", name="percentage_in_range"),
)

# R2.2: no two overlapping trajectories of one protocol for one employee. PostgreSQL only
# (migration 0010; btree_gist); SQLite keeps the rule in the trajectory repository.
trajectories.append_constraint(
    ExcludeConstraint(
        (trajectories.c.employee_id, "="),
        (trajectories.c.protocol_id, "="),
        (
            sa.func.daterange(
                trajectories.c.start_date, trajectories.c.end_date, sa.literal_column("'[)'")
            ),
            "&&",
        ),
        name="ex_trajectories_no_overlap",
        using="gist",
    ).ddl_if(dialect="postgresql")
)

bulk_start_requests = sa.Table(
    "bulk_start_requests",
    metadata,
    sa.Column("request_id", sa.Uuid, primary_key=True),
    sa.Column("fingerprint", sa.String(limits.FINGERPRINT), nullable=False),
    sa.Column("protocol_id", sa.Uuid, sa.ForeignKey("protocols.id"), nullable=False),
    sa.Column("requested_by", sa.Uuid, nullable=False),
    #: every outcome of the request, packed (``pack_outcomes``): a repeat answers from it
    sa.Column("summary", sa.LargeBinary),
)

bulk_start_outcomes = sa.Table(
    "bulk_start_outcomes",
    metadata,
    sa.Column(
        "request_id",
        sa.Uuid,
        sa.ForeignKey("bulk_start_requests.request_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("employee_id", sa.Uuid, primary_key=True),
    sa.Column("trajectory_id", sa.Uuid),
    sa.Column("reason", sa.String(limits.REASON_CODE)),
)

# -- agenda (R4.1–R4.4) ---------------------------------------------------------------------------

appointment_locations = sa.Table(
    "appointment_locations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("max_parallel", sa.Integer),
    sa.CheckConstraint("max_parallel IS NULL OR max_parallel >= 1", name="max_parallel_positive"),
)

availabilities = sa.Table(
    "availabilities",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("professional_id", sa.Uuid, nullable=False),
    sa.Column("location_id", sa.Uuid, sa.ForeignKey("appointment_locations.id"), nullable=False),
    sa.Column("starts_at", UtcDateTime, nullable=False),
    sa.Column("ends_at", UtcDateTime, nullable=False),
    sa.Column("series_id", sa.Uuid),
    sa.CheckConstraint("ends_at > starts_at", name="span_not_empty"),
    sa.Index("ix_availabilities_location_start", "location_id", "starts_at"),
    sa.Index("ix_availabilities_professional_start", "professional_id", "starts_at"),
)

appointment_requests = sa.Table(
    "appointment_requests",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("employee_id", sa.Uuid, sa.ForeignKey("employees.id"), nullable=False),
    sa.Column("purpose", sa.String(limits.PURPOSE), nullable=False),
    sa.Column("desired_from", PendulumDate, nullable=False),
    sa.Column("desired_until", PendulumDate),
    sa.Column("formal_request_date", PendulumDate, nullable=False),
    sa.CheckConstraint(
        "desired_until IS NULL OR desired_until > desired_from", name="desired_not_empty"
    ),
)

appointments = sa.Table(
    "appointments",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("availability_id", sa.Uuid, sa.ForeignKey("availabilities.id"), nullable=False),
    sa.Column("employee_id", sa.Uuid, sa.ForeignKey("employees.id"), nullable=False),
    sa.Column("starts_at", UtcDateTime, nullable=False),
    sa.Column("ends_at", UtcDateTime, nullable=False),
    sa.Column("status", sa.String(limits.ENUM), nullable=False),
    sa.Index("ix_appointments_availability_id", "availability_id"),
)

activities = sa.Table(
    "activities",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("professional_id", sa.Uuid, nullable=False),
    sa.Column("employee_id", sa.Uuid, sa.ForeignKey("employees.id"), nullable=False),
    sa.Column("activity_type", sa.String(limits.ACTIVITY_TYPE), nullable=False),
    sa.Column("performed_on", PendulumDate, nullable=False),
    sa.Column("appointment_id", sa.Uuid, sa.ForeignKey("appointments.id")),
    sa.Column("status", sa.String(limits.ENUM), nullable=False),
    sa.Index("ix_activities_appointment_id", "appointment_id"),
    # 0018: the id too — the billing run's anti-join reads the index alone (R5.1); 0026: the
    # employee and the type too — so do its candidates (R4.4)
    sa.Index(
        "ix_activities_status_performed",
        "status",
        "performed_on",
        "id",
        "employee_id",
        "activity_type",
    ),
    # R5.5: a reimbursement batch takes the activities of its contract holders (0014)
    sa.Index("ix_activities_professional_id", "professional_id", "performed_on"),
)

# -- contract management and billing (R5.1) -------------------------------------------------------

contract_models = sa.Table(
    "contract_models",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("kind", sa.String(limits.ENUM), nullable=False),
    sa.Column("billing_frequency", sa.String(limits.ENUM), nullable=False),
    sa.Column("active_from", PendulumDate, nullable=False),
    sa.Column("active_until", PendulumDate),
    # R5.4: "service" or "reimbursement" (migration 0014)
    sa.Column("model_type", sa.String(limits.ENUM), nullable=False, server_default="service"),
    sa.CheckConstraint(
        "active_until IS NULL OR active_until > active_from", name="active_not_empty"
    ),
)

price_categories = sa.Table(
    "price_categories",
    metadata,
    sa.Column(
        "contract_model_id",
        sa.Uuid,
        sa.ForeignKey("contract_models.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("activity_type", sa.String(limits.ACTIVITY_TYPE), primary_key=True),
    sa.Column("payer", sa.String(limits.ENUM), primary_key=True),
    sa.Column("price", Cents, nullable=False),
    sa.CheckConstraint("price >= 0", name="price_not_negative"),
)

service_agreements = sa.Table(
    "service_agreements",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id"), nullable=False),
    sa.Column("contract_model_id", sa.Uuid, sa.ForeignKey("contract_models.id"), nullable=False),
    sa.Column("starts_on", PendulumDate, nullable=False),
    sa.Column("ends_on", PendulumDate),
    sa.Column("service_variation", sa.String(limits.SERVICE_VARIATION)),
    sa.Column("deviating_frequency", sa.String(limits.ENUM)),
    sa.CheckConstraint("ends_on IS NULL OR ends_on > starts_on", name="period_not_empty"),
    sa.Index("ix_service_agreements_employer_id", "employer_id", "starts_on"),
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("agreement_id", sa.Uuid, sa.ForeignKey("service_agreements.id"), nullable=False),
    sa.Column("description", sa.String(limits.DESCRIPTION), nullable=False),
    sa.Column("amount", Cents, nullable=False),
    sa.Column("starts_on", PendulumDate, nullable=False),
    sa.Column("ends_on", PendulumDate),
    sa.CheckConstraint("ends_on IS NULL OR ends_on > starts_on", name="period_not_empty"),
    sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    sa.Index("ix_subscriptions_agreement_id", "agreement_id"),
)

invoice_bases = sa.Table(
    "invoice_bases",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id"), nullable=False),
    sa.Column("period_from", PendulumDate, nullable=False),
    sa.Column("period_until", PendulumDate, nullable=False),
    sa.Column("run_id", sa.Uuid, nullable=False),
    sa.Column("status", sa.String(limits.ENUM), nullable=False),
    sa.Column("created_on", PendulumDate, nullable=False),
    sa.Column("sent_on", PendulumDate),
    sa.Column("subscription_lines", sa.Integer, nullable=False),
    sa.Column("activity_lines", sa.Integer, nullable=False),
    sa.Column("total", Cents, nullable=False),
    sa.CheckConstraint("period_until > period_from", name="period_not_empty"),
    sa.Index("ix_invoice_bases_run_id", "run_id", "employer_id"),
    sa.Index("ix_invoice_bases_period_from", "period_from"),
)

# A billing period is on one invoice basis only: (subscription, period start) is the key.
invoice_subscription_lines = sa.Table(
    "invoice_subscription_lines",
    metadata,
    sa.Column("subscription_id", sa.Uuid, sa.ForeignKey("subscriptions.id"), primary_key=True),
    sa.Column("period_from", PendulumDate, primary_key=True),
    sa.Column("period_until", PendulumDate, nullable=False),
    sa.Column(
        "invoice_basis_id",
        sa.Uuid,
        sa.ForeignKey("invoice_bases.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("amount", Cents, nullable=False),
    sa.Index("ix_invoice_subscription_lines_invoice_basis_id", "invoice_basis_id"),
)

# An activity is on one invoice basis only: the activity is the key.
invoice_activity_lines = sa.Table(
    "invoice_activity_lines",
    metadata,
    sa.Column("activity_id", sa.Uuid, sa.ForeignKey("activities.id"), primary_key=True),
    sa.Column(
        "invoice_basis_id",
        sa.Uuid,
        sa.ForeignKey("invoice_bases.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("activity_type", sa.String(limits.ACTIVITY_TYPE), nullable=False),
    sa.Column("performed_on", PendulumDate, nullable=False),
    sa.Column("employee_id", sa.Uuid, nullable=False),
    sa.Column("amount", Cents, nullable=False),
    sa.Index("ix_invoice_activity_lines_invoice_basis_id", "invoice_basis_id"),
)

# -- reimbursements (R5.2–R5.5) -------------------------------------------------------------------

# Suppliers and referrers: a code is unique per kind, case-insensitively.
relations = sa.Table(
    "relations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("kind", sa.String(limits.ENUM), nullable=False),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("code", sa.String(limits.CODE), nullable=False),
    sa.Column("code_norm", SearchText, nullable=False),
    sa.Column("street", sa.String(limits.STREET), nullable=False),
    sa.Column("house_number", sa.String(limits.HOUSE_NUMBER), nullable=False),
    sa.Column("postcode", sa.String(limits.POSTCODE), nullable=False),
    sa.Column("city", sa.String(limits.CITY), nullable=False),
    sa.Column("country", sa.String(limits.COUNTRY), nullable=False),
    sa.Column("vat_number", sa.String(limits.VAT_NUMBER)),
    sa.Column("iban", sa.String(limits.IBAN)),
    sa.Column("bic", sa.String(limits.BIC)),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Index("uq_relations_kind_code", "kind", "code_norm", unique=True),
)

# A user's dated contract settings (R5.3): versions [valid_from, valid_until).
user_contract_settings = sa.Table(
    "user_contract_settings",
    metadata,
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("valid_from", PendulumDate, primary_key=True),
    sa.Column("valid_until", PendulumDate),
    sa.Column("may_register_activities", sa.Boolean, nullable=False),
    sa.Column("reimbursed_via_supplier", sa.Boolean, nullable=False),
    sa.Column("supplier_id", sa.Uuid, sa.ForeignKey("relations.id")),
    sa.Column("contract_model_id", sa.Uuid, sa.ForeignKey("contract_models.id")),
    sa.CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name="period_not_empty"),
    sa.Index("ix_user_contract_settings_supplier", "supplier_id", "contract_model_id"),
)

reimbursement_batches = sa.Table(
    "reimbursement_batches",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("supplier_id", sa.Uuid, sa.ForeignKey("relations.id"), nullable=False),
    sa.Column("contract_model_id", sa.Uuid, sa.ForeignKey("contract_models.id"), nullable=False),
    sa.Column("reference_date", PendulumDate, nullable=False),
    sa.Column("created_on", PendulumDate, nullable=False),
    sa.Column("final", sa.Boolean, nullable=False),
    sa.Column("finalised_on", PendulumDate),
    sa.Column("lines", sa.Integer, nullable=False),
    sa.Column("reimbursed", sa.Integer, nullable=False),
    sa.Column("excluded", sa.Integer, nullable=False),
    sa.Column("postponed", sa.Integer, nullable=False),
    sa.Column("total", Cents, nullable=False),
    # the target of the lines' (batch_id, final) reference
    sa.UniqueConstraint("id", "final", name="uq_reimbursement_batches_id_final"),
    sa.Index("ix_reimbursement_batches_supplier_id", "supplier_id", "created_on"),
)

reimbursement_batch_users = sa.Table(
    "reimbursement_batch_users",
    metadata,
    sa.Column(
        "batch_id",
        sa.Uuid,
        sa.ForeignKey("reimbursement_batches.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), primary_key=True),
)

# R5.5, enforced here whatever happens concurrently: a line carries its batch's ``final`` (kept
# equal by the composite reference, ON UPDATE CASCADE: finalising the batch finalises its
# lines). An activity has at most one line that *takes* it (uq_reimbursement_lines_taken): a line
# of a draft batch, or a settling line (reimbursed or excluded) of a final batch. So it is on at
# most one draft, settled at most once, and never on a draft once settled; a postponed line of a
# final batch takes nothing, and the activity comes back in the next batch.
TAKEN = "NOT final OR decision <> 'postpone'"
reimbursement_lines = sa.Table(
    "reimbursement_lines",
    metadata,
    sa.Column("batch_id", sa.Uuid, primary_key=True),
    # no reference to ``activities``: a line is only ever made from an offered activity by the
    # generating INSERT … SELECT, and offered activities are never deleted (R4.4 deletes drafts
    # only); PostgreSQL's per-row check would lock (and rewrite) every activity row batched
    sa.Column("activity_id", sa.Uuid, primary_key=True),
    sa.Column("final", sa.Boolean, nullable=False),
    sa.Column("user_id", sa.Uuid, nullable=False),
    sa.Column("employee_id", sa.Uuid, nullable=False),
    sa.Column("activity_type", sa.String(limits.ACTIVITY_TYPE), nullable=False),
    sa.Column("performed_on", PendulumDate, nullable=False),
    sa.Column("amount", Cents, nullable=False),
    sa.Column("decision", sa.String(limits.ENUM), nullable=False),
    sa.ForeignKeyConstraint(
        ["batch_id", "final"],
        ["reimbursement_batches.id", "reimbursement_batches.final"],
        name="fk_reimbursement_lines_batch",
        onupdate="CASCADE",
        ondelete="CASCADE",
    ),
    sa.Index(
        "uq_reimbursement_lines_taken",
        "activity_id",
        unique=True,
        sqlite_where=sa.text(TAKEN),
        postgresql_where=sa.text(TAKEN),
    ),
)

# -- outbox (R0.7) --------------------------------------------------------------------------------

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(limits.EVENT_NAME), nullable=False),
    sa.Column("version", sa.SmallInteger, nullable=False, server_default="1"),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
)

# A subscription reads every message once (xs_core.outbox): every message with an id up to its
# position is acknowledged; the messages after it that are leased or acknowledged have a claim.
outbox_subscriptions = sa.Table(
    "outbox_subscriptions",
    metadata,
    sa.Column("name", sa.String(limits.EVENT_NAME), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

outbox_claims = sa.Table(
    "outbox_claims",
    metadata,
    sa.Column(
        "subscription",
        sa.String(limits.EVENT_NAME),
        sa.ForeignKey("outbox_subscriptions.name", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "message_id", sa.Integer, sa.ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("consumer", sa.String(limits.EVENT_NAME)),
    sa.Column("lease_until", UtcDateTime),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("acknowledged", sa.Boolean, nullable=False),
    sa.Index("ix_outbox_claims_message_id", "message_id"),
)

# -- policy registration (R6.1–R6.6) -------------------------------------------------------------

insurers = sa.Table(
    "insurers",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("code", sa.String(limits.CODE)),
    sa.Column("code_norm", SearchText),
    sa.Index("uq_insurers_code_norm", "code_norm", unique=True),
)

# The conditions (R6.2) are one JSON document per product (xs_adapters.sql.policies: typed and
# validated when read); a policy's overrides (R6.3) likewise, holding only the overridden ones.
insurance_products = sa.Table(
    "insurance_products",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("insurer_id", sa.Uuid, sa.ForeignKey("insurers.id"), nullable=False),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("code", sa.String(limits.CODE)),
    sa.Column("code_norm", SearchText),
    sa.Column("kind", sa.String(limits.ENUM), nullable=False),
    sa.Column("conditions", sa.JSON, nullable=False),
    sa.Index("uq_insurance_products_insurer_code", "insurer_id", "code_norm", unique=True),
)

insurance_policies = sa.Table(
    "insurance_policies",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id"), nullable=False),
    sa.Column("product_id", sa.Uuid, sa.ForeignKey("insurance_products.id"), nullable=False),
    sa.Column("number", sa.String(limits.POLICY_NUMBER), nullable=False),
    sa.Column("start_date", PendulumDate, nullable=False),
    #: exclusive end (R0.2)
    sa.Column("end_date", PendulumDate),
    sa.Column("run_in_damage_date", PendulumDate),
    sa.Column("overrides", sa.JSON, nullable=False),
    sa.CheckConstraint("end_date IS NULL OR end_date > start_date", name="period_not_empty"),
    sa.Index("uq_insurance_policies_product_number", "product_id", "number", unique=True),
    sa.Index("ix_insurance_policies_employer_id", "employer_id"),
)

# R6.4, R6.6: an employee's registrations in a policy are half-open periods that never overlap.
# On PostgreSQL an exclusion constraint refuses overlapping *manual* ones, whoever writes them
# (below); automatic ones are written under the policy's lock only — by the nightly run, as one
# computed timeline, and by a manual registration cutting them (migration 0025). SQLite has no
# exclusion constraints: the locks and the repositories' checks keep the rule there. Reasons and
# notes are comma-separated codes (ExclusionReason, Note values), sorted.
policy_registrations = sa.Table(
    "policy_registrations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "policy_id",
        sa.Uuid,
        sa.ForeignKey("insurance_policies.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("employee_id", sa.Uuid, sa.ForeignKey("employees.id"), nullable=False),
    sa.Column("start_date", PendulumDate, nullable=False),
    sa.Column("end_date", PendulumDate),
    sa.Column("included", sa.Boolean, nullable=False),
    sa.Column("reasons", sa.String(limits.REGISTRATION_CODES), nullable=False),
    sa.Column("source", sa.String(limits.ENUM), nullable=False),
    sa.Column("notes", sa.String(limits.REGISTRATION_CODES), nullable=False),
    sa.Column("note", sa.String(limits.REGISTRATION_NOTE)),
    sa.Column("registered_on", PendulumDate, nullable=False),
    sa.CheckConstraint("end_date IS NULL OR end_date > start_date", name="period_not_empty"),
    sa.Index("ix_policy_registrations_participant", "policy_id", "employee_id", "start_date"),
    sa.Index("ix_policy_registrations_employee_id", "employee_id"),
)

policy_registrations.append_constraint(
    # manual registrations only, led by the employee (a GiST insert then tells the subtrees
    # apart by the first column; a policy's key hardly does): migration 0025
    ExcludeConstraint(
        (policy_registrations.c.employee_id, "="),
        (policy_registrations.c.policy_id, "="),
        (
            sa.func.daterange(
                policy_registrations.c.start_date,
                policy_registrations.c.end_date,
                sa.literal_column("'[)'"),
            ),
            "&&",
        ),
        name="ex_policy_registrations_no_overlap",
        using="gist",
        where=policy_registrations.c.source == sa.literal_column("'manual'"),
    ).ddl_if(dialect="postgresql")
)

# -- configuration parameters (R6.1) --------------------------------------------------------------

# The current value of each parameter that was ever set (a parameter without a row has its
# default), and every change with who made it and when.
configuration_parameters = sa.Table(
    "configuration_parameters",
    metadata,
    sa.Column("name", sa.String(limits.PARAMETER_NAME), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)

configuration_parameter_changes = sa.Table(
    "configuration_parameter_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("parameter", sa.String(limits.PARAMETER_NAME), nullable=False),
    sa.Column("old_value", sa.Integer, nullable=False),
    sa.Column("new_value", sa.Integer, nullable=False),
    sa.Column("changed_by", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("changed_at", UtcDateTime, nullable=False),
    sa.Index("ix_configuration_parameter_changes_parameter", "parameter", "id"),
)

# -- the nightly evaluation of participation (R6.6) ---------------------------------------------

# A run and its planned chunks: a chunk is the employees of a policy's employer with
# after_id < id <= last_id (NULL: unbounded); its writes and done = true commit together.
policy_runs = sa.Table(
    "policy_runs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("on_date", PendulumDate, nullable=False),
    sa.Column("policy_id", sa.Uuid, sa.ForeignKey("insurance_policies.id", ondelete="CASCADE")),
    sa.Column("started_by", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("chunk_size", sa.Integer, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.Index("ix_policy_runs_on_date", "on_date", "finished_at"),
)

policy_run_chunks = sa.Table(
    "policy_run_chunks",
    metadata,
    sa.Column(
        "run_id", sa.Uuid, sa.ForeignKey("policy_runs.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column(
        "policy_id",
        sa.Uuid,
        sa.ForeignKey("insurance_policies.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id"), nullable=False),
    sa.Column("after_id", sa.Uuid),
    sa.Column("last_id", sa.Uuid),
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Column("changed", sa.Integer, nullable=False),
    sa.Column("added", sa.Integer, nullable=False),
    sa.Column("removed", sa.Integer, nullable=False),
)

# What the evaluation of each (policy, employee) last read — its inputs as one text (the facts,
# the manual registrations, and a key of the conditions and parameter tables) — and the first
# day of the window it wrote; a run skips the employees whose inputs are unchanged (R6.6).
policy_participant_inputs = sa.Table(
    "policy_participant_inputs",
    metadata,
    sa.Column(
        "policy_id",
        sa.Uuid,
        sa.ForeignKey("insurance_policies.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "employee_id", sa.Uuid, sa.ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("inputs", sa.String(limits.PARTICIPANT_INPUTS), nullable=False),
    sa.Column("evaluated_from", PendulumDate, nullable=False),
)

# -- passwords and mail (R2.6) ---------------------------------------------------------------------

user_accounts = sa.Table(
    "user_accounts",
    metadata,
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("password_hash", sa.String(limits.PASSWORD_HASH)),
    sa.Column("password_changed_at", UtcDateTime),
    sa.Column("language", sa.String(limits.LANGUAGE), nullable=False),
)

password_tokens = sa.Table(
    "password_tokens",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("purpose", sa.String(limits.ENUM), nullable=False),
    sa.Column("digest", sa.String(limits.FINGERPRINT), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("used_at", UtcDateTime),
    sa.Index("uq_password_tokens_digest", "digest", unique=True),
    sa.Index("ix_password_tokens_user_id", "user_id"),
)

mail_templates = sa.Table(
    "mail_templates",
    metadata,
    sa.Column("event", sa.String(limits.ENUM), primary_key=True),
    sa.Column("language", sa.String(limits.LANGUAGE), primary_key=True),
    sa.Column("subject", sa.String(limits.MAIL_SUBJECT), nullable=False),
    sa.Column("text", sa.String(limits.MAIL_TEMPLATE), nullable=False),
    sa.Column("html", sa.String(limits.MAIL_TEMPLATE), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("updated_by", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
)

# -- the external API (R7.1) ----------------------------------------------------------------------

api_clients = sa.Table(
    "api_clients",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(limits.NAME), nullable=False),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("secret_hash", sa.String(limits.PASSWORD_HASH), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("user_id", name="uq_api_clients_user_id"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("actor", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("key", sa.String(limits.IDEMPOTENCY_KEY), primary_key=True),
    sa.Column("fingerprint", sa.String(limits.FINGERPRINT), nullable=False),
    sa.Column("result", sa.String(limits.IDEMPOTENT_RESULT)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # expired keys are deleted oldest first, a few per claim (R7.1, migration 0020)
    sa.Index("ix_idempotency_keys_created_at", "created_at"),
)

token_attempts = sa.Table(
    "token_attempts",
    metadata,
    # ``address:<remote address>`` — an IPv6 address's /64, ``address:unknown`` without one
    # (xs_core.access.attempts.address_key, R7.1, migration 0022)
    sa.Column("key", sa.String(limits.ATTEMPT_KEY), primary_key=True),
    sa.Column("window_start", UtcDateTime, primary_key=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    # counts of past windows are deleted oldest first, a few per attempt
    sa.Index("ix_token_attempts_window_start", "window_start"),
)

# -- dossier documents and secure messaging (R2.7) -------------------------------------------------

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("kind", sa.String(limits.ENUM), nullable=False),
    sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers.id")),
    sa.Column("trajectory_id", sa.Uuid, sa.ForeignKey("trajectories.id")),
    sa.Column("file_name", sa.String(limits.FILE_NAME), nullable=False),
    sa.Column("content_type", sa.String(limits.CONTENT_TYPE), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(limits.FINGERPRINT), nullable=False),
    sa.Column("added_by", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("added_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("(kind = 'media_library') = (dossier_id IS NULL)", name="media_no_dossier"),
    sa.Index("ix_documents_dossier_id", "dossier_id"),
)

dialogs = sa.Table(
    "dialogs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers.id"), nullable=False),
    sa.Column("subject", sa.String(limits.DIALOG_SUBJECT), nullable=False),
    sa.Column("started_by", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Index("ix_dialogs_dossier_id", "dossier_id"),
)

dialog_participants = sa.Table(
    "dialog_participants",
    metadata,
    sa.Column(
        "dialog_id", sa.Uuid, sa.ForeignKey("dialogs.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), primary_key=True),
)

dialog_messages = sa.Table(
    "dialog_messages",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "dialog_id", sa.Uuid, sa.ForeignKey("dialogs.id", ondelete="CASCADE"), nullable=False
    ),
    #: the message's place in its dialog: 0, 1, … (the dialog row is locked while sending)
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("author_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("body", sa.String(limits.MESSAGE_BODY), nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("dialog_id", "position", name="uq_dialog_messages_position"),
)

message_attachments = sa.Table(
    "message_attachments",
    metadata,
    sa.Column(
        "message_id",
        sa.Uuid,
        sa.ForeignKey("dialog_messages.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Uuid, sa.ForeignKey("documents.id"), nullable=False),
)

# -- WIA claims (R3.2, R3.3) ----------------------------------------------------------------------

wia_claims = sa.Table(
    "wia_claims",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "employee_id", sa.Uuid, sa.ForeignKey("employees.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id"), nullable=False),
    sa.Column("start_date", PendulumDate, nullable=False),
    sa.Column("benefit", sa.String(limits.ENUM), nullable=False),
    sa.Column("monthly_wage", Cents, nullable=False),
    sa.Column("income_from_work", Cents),
    sa.Column("own_risk_end", PendulumDate),
    sa.Column("outflow_date", PendulumDate),
    sa.Column("outflow_reason", sa.String(limits.ENUM)),
    sa.CheckConstraint("own_risk_end IS NULL OR own_risk_end > start_date", name="own_risk_end"),
    sa.CheckConstraint("outflow_date IS NULL OR outflow_date > start_date", name="outflow_date"),
    sa.CheckConstraint(
        "(outflow_date IS NULL) = (outflow_reason IS NULL)", name="outflow_date_and_reason"
    ),
    sa.Index("ix_wia_claims_employer", "employer_id", "start_date", "id"),
    sa.Index("ix_wia_claims_employee", "employee_id"),
)
