"""SQLModel tables: the whole RSA of one organisation, any number of analysis years.

Table models do not validate (SQLModel skips validation for table=True); rules live in
`rsa_desktop.services.validation`, critical invariants are also CHECK constraints here.
Durations are whole minutes; dates are ISO `date`s.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class TolerantDate(TypeDecorator):
    """A date stored as "YYYY-MM-DD" (SQLAlchemy's own SQLite format).

    Like every column it reads back tolerantly (see the end of this module): a damaged value in a file
    (a flipped byte) reads as no date instead of making the whole table unreadable; `rsa-desktop check`
    and the RSA-kontroll then show the missing date.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.isoformat() if isinstance(value, dt.date) else value

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, dt.date):
            return value
        return _parse_date(value)  # a ValueError here is read as missing


def _parse_date(value: object) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def _date():
    return Field(default=None, sa_type=TolerantDate)


def _text(**kw):
    return Field(default="", sa_column_kwargs={"server_default": ""}, **kw)


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE"):
    return Field(default=None if nullable else ..., foreign_key=target, ondelete=ondelete,
                 nullable=nullable, index=True)


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    name: str = _text()
    org_type: str = Field(default="facknamnd")  # facknamnd / stadsdelsnamnd / bolag / annan
    committee: str = _text()  # the nämnd or bolagsstyrelse
    employees: int | None = None
    contact_person: str = _text()
    security_coordinator: str = _text()


class Analysis(SQLModel, table=True):
    __tablename__ = "analysis"
    __table_args__ = (UniqueConstraint("organisation_id", "year"),
                      CheckConstraint("status IN ('utkast','faststalld')", name="ck_analysis_status"))
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = _fk("organisation.id")
    year: int
    status: str = Field(default="utkast")
    adopted_date: dt.date | None = _date()
    adopted_decision: str = _text()  # beslut: by whom, dnr, paragraph
    assignment: str = _text()  # uppdrag
    delimitations: str = _text()  # avgränsningar
    method: str = _text()  # metodbeskrivning
    business_description: str = _text()  # verksamhetsbeskrivning
    locations: str = _text()
    summary: str = _text()  # sammanfattning
    secrecy_marking: str = _text()  # free text, e.g. "Sekretess enligt 18 kap. 13 § OSL"
    security_class: str | None = None  # säkerhetsskyddsklass, separate and optional
    consequence_aggregation: str = Field(default="max")  # how dimensions combine into one consequence
    unacceptable_level: int = Field(default=4)  # impact level at which downtime is no longer acceptable
    scales_confirmed: str = _text()  # fingerprint of the scales when the user last confirmed them
    archived: bool = False  # kept read-only because a later year was carried forward from it
    catalogue_version: str = _text()  # the catalogue version its values were mapped to ('' = before versions)
    report_deadline: dt.date | None = _date()  # the city's deadline for this RSA (configurable)
    # The öppet utdrag's choice per free-text field: JSON {field: text för öppet utdrag}; see domain/public.py.
    public_texts: str = _text()
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))


class IdCounter(SQLModel, table=True):
    """Next number per human-ID prefix, so that a deleted R3 is never reused for another risk."""
    __tablename__ = "id_counter"
    analysis_id: int = Field(foreign_key="analysis.id", ondelete="CASCADE", primary_key=True)
    prefix: str = Field(primary_key=True)
    next_number: int = 1


class Participant(SQLModel, table=True):
    __tablename__ = "participant"
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    name: str = _text()
    role: str = _text()
    unit: str = _text()
    sort_order: int = 0


# --- scales (per analysis, copied from resources/scales/default.json) -----------------------

class LikelihoodLevel(SQLModel, table=True):
    __tablename__ = "likelihood_level"
    __table_args__ = (UniqueConstraint("analysis_id", "value"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    value: int
    label: str = _text()
    frequency: str = _text()
    description: str = _text()


class ConsequenceLevel(SQLModel, table=True):
    __tablename__ = "consequence_level"
    __table_args__ = (UniqueConstraint("analysis_id", "value"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    value: int
    label: str = _text()
    description: str = _text()


class ConsequenceDimension(SQLModel, table=True):
    __tablename__ = "consequence_dimension"
    __table_args__ = (UniqueConstraint("analysis_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    code: str
    label: str = _text()
    description: str = _text()
    sort_order: int = 0


class ColourBand(SQLModel, table=True):
    """A colour for matrix cells whose score (likelihood × consequence) is at least min_score."""
    __tablename__ = "colour_band"
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    label: str = _text()
    colour: str = "#cccccc"
    min_score: int = 1


class CapabilityLevel(SQLModel, table=True):
    __tablename__ = "capability_level"
    __table_args__ = (UniqueConstraint("analysis_id", "value"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    value: int
    label: str = _text()
    description: str = _text()


class TimeHorizon(SQLModel, table=True):
    __tablename__ = "time_horizon"
    __table_args__ = (UniqueConstraint("analysis_id", "minutes"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    minutes: int
    label: str = _text()


# --- the analysis items -------------------------------------------------------------------

class Function(SQLModel, table=True):
    """Samhällsviktig verksamhet / åtagande."""
    __tablename__ = "function"
    __table_args__ = (UniqueConstraint("analysis_id", "hid"),
                      CheckConstraint("operation IN ('egen','extern')", name="ck_function_operation"))
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    hid: str
    name: str = _text()
    description: str = _text()
    msb_sector: str = _text()
    preparedness_sector: str = _text()
    is_critical: bool = False  # samhällsviktig
    critical_motivation: str = _text()
    criticality_life_health: int | None = None  # on the consequence scale
    criticality_functionality: int | None = None
    max_tolerable_downtime: int | None = None  # acceptabel avbrottstid, minutes
    mtd_motivation: str = _text()  # why the confirmed value differs from the proposal, if it does
    minimum_level: str = _text()  # lägsta acceptabla nivå
    rto: int | None = None  # återställningstid, minutes
    operation: str = "egen"  # regi
    supplier: str = _text()
    contract: str = _text()
    continuity_in_contract: bool | None = None
    styrel_class: int | None = None
    owner: str = _text()
    secret: bool = False
    sort_order: int = 0


class FunctionImpact(SQLModel, table=True):
    """Consequence for a function if it is down for a time horizon (impact over time)."""
    __tablename__ = "function_impact"
    function_id: int = Field(foreign_key="function.id", ondelete="CASCADE", primary_key=True)
    horizon_id: int = Field(foreign_key="time_horizon.id", ondelete="CASCADE", primary_key=True)
    level: int


class Dependency(SQLModel, table=True):
    """Kritiskt beroende."""
    __tablename__ = "dependency"
    __table_args__ = (UniqueConstraint("analysis_id", "hid"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    hid: str
    dep_type: str = _text()
    name: str = _text()
    description: str = _text()
    provider: str = _text()
    provider_org: str = _text()  # a city organisation (catalogue name) when the provider is one
    is_external: bool = False  # outside Stockholms stad
    single_point_of_failure: bool = False
    expected_outage: int | None = None  # expected outage / restore time, minutes
    has_reserve: bool = False
    reserve_description: str = _text()
    reserve_duration: int | None = None  # how long the reserve lasts, minutes
    secret: bool = False
    sort_order: int = 0


class FunctionDependency(SQLModel, table=True):
    __tablename__ = "function_dependency"
    function_id: int = Field(foreign_key="function.id", ondelete="CASCADE", primary_key=True)
    dependency_id: int = Field(foreign_key="dependency.id", ondelete="CASCADE", primary_key=True, index=True)
    tolerance: int | None = None  # how long the function tolerates losing the dependency, minutes
    note: str = _text()


class DependencyDependency(SQLModel, table=True):
    """A dependency that itself depends on another (the IT system needs the network needs el)."""
    __tablename__ = "dependency_dependency"
    __table_args__ = (CheckConstraint("dependency_id <> depends_on_id", name="ck_dep_not_self"),)
    dependency_id: int = Field(foreign_key="dependency.id", ondelete="CASCADE", primary_key=True)
    depends_on_id: int = Field(foreign_key="dependency.id", ondelete="CASCADE", primary_key=True, index=True)


class Risk(SQLModel, table=True):
    __tablename__ = "risk"
    __table_args__ = (
        UniqueConstraint("analysis_id", "hid"),
        CheckConstraint("likelihood IS NULL OR likelihood BETWEEN 1 AND 99", name="ck_risk_likelihood"),
        CheckConstraint("residual_likelihood IS NULL OR residual_likelihood BETWEEN 1 AND 99",
                        name="ck_risk_residual_likelihood"),
        CheckConstraint("residual_consequence IS NULL OR residual_consequence BETWEEN 1 AND 99",
                        name="ck_risk_residual_consequence"),
    )
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    hid: str
    title: str = _text()
    description: str = _text()
    category: str = _text()
    scenario: str = _text()  # from the scenario library, or free text
    likelihood: int | None = None
    motivation: str = _text()
    uncertainty: str = _text()  # lag / medel / hog, or empty
    existing_measures: str = _text()
    residual_likelihood: int | None = None
    residual_consequence: int | None = None
    secret: bool = False
    sort_order: int = 0


class RiskConsequence(SQLModel, table=True):
    __tablename__ = "risk_consequence"
    risk_id: int = Field(foreign_key="risk.id", ondelete="CASCADE", primary_key=True)
    dimension_id: int = Field(foreign_key="consequence_dimension.id", ondelete="CASCADE", primary_key=True)
    level: int


class RiskFunction(SQLModel, table=True):
    __tablename__ = "risk_function"
    risk_id: int = Field(foreign_key="risk.id", ondelete="CASCADE", primary_key=True)
    function_id: int = Field(foreign_key="function.id", ondelete="CASCADE", primary_key=True, index=True)


class RiskDependency(SQLModel, table=True):
    __tablename__ = "risk_dependency"
    risk_id: int = Field(foreign_key="risk.id", ondelete="CASCADE", primary_key=True)
    dependency_id: int = Field(foreign_key="dependency.id", ondelete="CASCADE", primary_key=True, index=True)


class Vulnerability(SQLModel, table=True):
    """Sårbarhet or brist i krisberedskapen."""
    __tablename__ = "vulnerability"
    __table_args__ = (UniqueConstraint("analysis_id", "hid"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    hid: str
    title: str = _text()
    description: str = _text()
    vuln_type: str = "sarbarhet"  # sarbarhet / brist_krisberedskap
    secret: bool = False
    sort_order: int = 0


class Capability(SQLModel, table=True):
    """Assessment of one area of förmåga (krisledning, larmvägar, uthållighet …)."""
    __tablename__ = "capability"
    __table_args__ = (UniqueConstraint("analysis_id", "hid"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    hid: str
    area: str = _text()
    rating: int | None = None  # on the optional förmåga scale
    motivation: str = _text()
    secret: bool = False
    sort_order: int = 0


class Action(SQLModel, table=True):
    """Åtgärd."""
    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("analysis_id", "hid"),
        CheckConstraint("status IN ('planerad','pagaende','genomford','avbruten')", name="ck_action_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    hid: str
    title: str = _text()
    description: str = _text()
    owner: str = _text()
    deadline: dt.date | None = _date()
    status: str = "planerad"
    priority: str = "medel"  # hog / medel / lag
    follow_up_note: str = _text()
    secret: bool = False
    sort_order: int = 0


class ActionRisk(SQLModel, table=True):
    __tablename__ = "action_risk"
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE", primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", ondelete="CASCADE", primary_key=True, index=True)


class ActionDependency(SQLModel, table=True):
    __tablename__ = "action_dependency"
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE", primary_key=True)
    dependency_id: int = Field(foreign_key="dependency.id", ondelete="CASCADE", primary_key=True, index=True)


class ActionFunction(SQLModel, table=True):
    __tablename__ = "action_function"
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE", primary_key=True)
    function_id: int = Field(foreign_key="function.id", ondelete="CASCADE", primary_key=True, index=True)


class ActionVulnerability(SQLModel, table=True):
    __tablename__ = "action_vulnerability"
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE", primary_key=True)
    vulnerability_id: int = Field(foreign_key="vulnerability.id", ondelete="CASCADE", primary_key=True,
                                  index=True)


class ContinuityPlan(SQLModel, table=True):
    """Kontinuitetsplan for one critical function."""
    __tablename__ = "continuity_plan"
    __table_args__ = (UniqueConstraint("analysis_id", "hid"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    hid: str
    function_id: int | None = _fk("function.id", nullable=True, ondelete="SET NULL")
    title: str = _text()
    scope: str = _text()
    responsible: str = _text()
    minimum_level: str = _text()
    activation_criteria: str = _text()
    recovery_order: str = _text()  # återstart: in which order things come back
    resources: str = _text()
    last_exercised: dt.date | None = _date()
    next_exercise: dt.date | None = _date()
    last_revised: dt.date | None = _date()
    secret: bool = False
    sort_order: int = 0


class FallbackProcedure(SQLModel, table=True):
    """Reservrutin in a plan, usually for one critical dependency."""
    __tablename__ = "fallback_procedure"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = _fk("continuity_plan.id")
    dependency_id: int | None = _fk("dependency.id", nullable=True, ondelete="SET NULL")
    procedure: str = _text()
    duration: int | None = None  # how long the fallback can be kept up, minutes
    responsible: str = _text()
    sort_order: int = 0


class PlanContact(SQLModel, table=True):
    __tablename__ = "plan_contact"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = _fk("continuity_plan.id")
    name: str = _text()
    role: str = _text()
    phone: str = _text()
    alternate: str = _text()
    sort_order: int = 0


class Exercise(SQLModel, table=True):
    """Övning."""
    __tablename__ = "exercise"
    __table_args__ = (UniqueConstraint("analysis_id", "hid"),)
    id: int | None = Field(default=None, primary_key=True)
    analysis_id: int = _fk("analysis.id")
    hid: str
    title: str = _text()
    date: dt.date | None = _date()
    exercise_type: str = _text()
    scenario: str = _text()
    participants: str = _text()
    success_criteria: str = _text()
    lessons: str = _text()
    plan_id: int | None = _fk("continuity_plan.id", nullable=True, ondelete="SET NULL")
    secret: bool = False
    sort_order: int = 0


class ExerciseAction(SQLModel, table=True):
    """An action that came out of an exercise."""
    __tablename__ = "exercise_action"
    exercise_id: int = Field(foreign_key="exercise.id", ondelete="CASCADE", primary_key=True)
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE", primary_key=True, index=True)


class AuditEvent(SQLModel, table=True):
    """One recorded change: when, who, which item and field, old and new value.

    No foreign keys on purpose: the trail outlives the items (and years) it describes.
    """
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: str  # UTC, ISO 8601 to the second
    user: str = _text()  # the operating-system user
    analysis_id: int | None = Field(default=None, index=True)
    kind: str = _text()
    item_id: int | None = None
    item: str = _text()  # "R3 Långvarigt elavbrott" at the time of the change
    action: str = _text()  # skapad / ändrad / borttagen / återställd / kopplad / bortkopplad / bekräftad
    field: str = _text()
    old_value: str = _text()  # JSON
    new_value: str = _text()  # JSON
    chain: str = _text()  # SHA-256 of the previous entry's chain and this entry (services/audit.py)


class ReviewMark(SQLModel, table=True):
    """An item carried forward into a new year that nobody has reviewed yet ("att granska")."""
    __tablename__ = "review_mark"
    analysis_id: int = Field(foreign_key="analysis.id", ondelete="CASCADE", primary_key=True)
    kind: str = Field(primary_key=True)
    item_id: int = Field(primary_key=True)


class CarriedFrom(SQLModel, table=True):
    """Which item of the previous year an item was copied from, so a year can be compared with the last."""
    __tablename__ = "carried_from"
    analysis_id: int = Field(foreign_key="analysis.id", ondelete="CASCADE", primary_key=True)
    kind: str = Field(primary_key=True)
    item_id: int = Field(primary_key=True)
    source_analysis_id: int = Field(index=True)
    source_item_id: int


class CataloguePackage(SQLModel, table=True):
    """The catalogue package (from KS) this file uses instead of the program's own catalogues.

    One row at most; no foreign key, since the package belongs to the file, not to one year.
    """
    __tablename__ = "catalogue_package"
    id: int | None = Field(default=None, primary_key=True)
    version: str = _text()
    name: str = _text()
    content: str = _text()  # the package as JSON (services/catalogue_update.py validates it)
    imported_at: str = _text()  # UTC, ISO 8601


# --- reading back a damaged value ------------------------------------------------------------
# SQLite stores whatever a hostile or damaged file holds in any column ('abc' in an INTEGER, a blob
# in a TEXT). Every column therefore reads back through one tolerant type: a value of the wrong
# kind reads as missing where the column allows that (None, or the column's default), and as
# DamagedValue, a known error the storage layer shows as a damaged file, where it does not. So no
# ValueError or TypeError of a damaged file ever reaches domain code, and none needs guessing from
# its message.


class DamagedValue(Exception):
    """A stored value of the wrong kind in a column that has no "missing" to read it as."""

    def __init__(self, table: str, column: str):
        super().__init__(f"{table}.{column}")
        self.table, self.column = table, column


def _as_int(v: object) -> int | None:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:  # int()'s own: the text is no whole number
            return None
    return None


def _as_bool(v: object) -> bool | None:
    return bool(v) if v in (0, 1) else None


def _as_text(v: object) -> str | None:
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).decode("utf-8", "replace")
    if isinstance(v, (int, float)):
        return str(v)
    return None


def _as_date(v: object) -> dt.date | None:
    try:
        return _parse_date(v)
    except ValueError:  # fromisoformat's own: the text is no date
        return None


def _as_datetime(v: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(v).strip())
    except ValueError:  # fromisoformat's own: the text is no time
        return None


class _Tolerant(TypeDecorator):
    """Wraps one column's type: writes as before (same DDL), reads a wrong value as described above."""

    impl = String  # replaced per column by the column's own type
    cache_ok = True

    # Named like the arguments, so that SQLAlchemy's cache key of the type tells the columns apart.
    def __init__(self, inner, kind: type, convert, fallback, table: str, column: str):
        super().__init__()
        self.impl = self.inner = inner  # the column's own type, so DDL and binding stay byte-identical
        self.kind, self.convert, self.fallback, self.table, self.column = kind, convert, fallback, table, column

    def load_dialect_impl(self, dialect):
        return self.impl

    def result_processor(self, dialect, coltype):
        inner = self.impl.dialect_impl(dialect).result_processor(dialect, coltype)
        kind, convert, fallback, where = self.kind, self.convert, self.fallback, (self.table, self.column)

        def process(value):
            if value is None:
                return None
            if type(value) is kind:  # what SQLite returns for a well-formed value
                if inner is None:
                    return value
                try:
                    return inner(value)
                except (ValueError, TypeError):  # the inner type's own parse failed: a damaged value
                    pass
            good = convert(value)
            if good is not None:
                return good
            if fallback is _NO_FALLBACK:
                raise DamagedValue(*where)
            return fallback

        return process


_NO_FALLBACK = object()
_READERS = {int: _as_int, bool: _as_bool, str: _as_text, dt.date: _as_date, dt.datetime: _as_datetime}
# What SQLite hands back for a well-formed value of each Python type (a date or time arrives as text).
_STORED = {int: int, bool: int, str: str, dt.date: str, dt.datetime: str}


def _read_tolerantly() -> None:
    for table in SQLModel.metadata.tables.values():
        for col in table.columns:
            if isinstance(col.type, _Tolerant):
                continue
            if isinstance(col.type, TolerantDate):
                py = dt.date
            else:
                base = col.type.impl if isinstance(col.type, TypeDecorator) else col.type  # sqlmodel's AutoString
                py = base.python_type
            if py not in _READERS:
                raise TypeError(f"{table.name}.{col.name}: no tolerant reader for {py}")
            default = getattr(col.default, "arg", _NO_FALLBACK) if col.default is not None else _NO_FALLBACK
            if callable(default):
                default = _NO_FALLBACK
            fallback = None if col.nullable and not col.primary_key else default
            col.type = _Tolerant(col.type, _STORED[py], _READERS[py], fallback, table.name, col.name)


_read_tolerantly()
