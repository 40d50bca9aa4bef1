import datetime as dt

import pytest

from rsa_desktop.services.errors import ReadOnlyAnalysisError, ValidationError


def errors_of(call):
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value


def test_required_fields_are_named_in_swedish(svc, analysis):
    err = errors_of(lambda: svc.create("risk", analysis.id, title="  "))
    assert err.fields == {"title"}
    assert str(err) == "Rubrik: måste fyllas i."
    err = errors_of(lambda: svc.create("dependency", analysis.id, name="Växeln"))
    assert "Typ: måste fyllas i." in str(err)


def test_ratings_must_be_on_the_analysis_scale(svc, analysis):
    err = errors_of(lambda: svc.create("risk", analysis.id, title="Brand", likelihood=6, residual_consequence=0))
    assert err.fields == {"likelihood", "residual_consequence"}
    assert "Sannolikhet: värdet 6 finns inte på skalan (1–5)." in str(err)
    err = errors_of(lambda: svc.create("capability", analysis.id, area="Krisledning", rating=4))
    assert "Bedömning: värdet 4 finns inte på skalan (1–3)." in str(err)
    risk = svc.create("risk", analysis.id, title="Brand")
    dim = svc.scales(analysis.id).dimensions[0]
    errors_of(lambda: svc.set_consequence(risk.id, dim.id, 9))
    errors_of(lambda: svc.set_consequence(risk.id, dim.id, True))


def test_rto_may_not_exceed_acceptable_downtime(svc, analysis):
    err = errors_of(lambda: svc.create("function", analysis.id, name="Utbetalningar",
                                       max_tolerable_downtime="1 dygn", rto="3 dygn"))
    assert err.fields == {"rto"}
    assert "får inte vara längre än acceptabel avbrottstid (1 dygn)" in str(err)
    f = svc.create("function", analysis.id, name="Utbetalningar", max_tolerable_downtime="1 dygn", rto="4 h")
    errors_of(lambda: svc.update("function", f.id, max_tolerable_downtime="1 h"))
    assert svc.get("function", f.id).max_tolerable_downtime == 1440  # nothing applied


def test_dates_enums_numbers_and_durations(svc, analysis):
    err = errors_of(lambda: svc.create("action", analysis.id, title="Övning", deadline="31/12 2026",
                                       status="klar", priority="akut"))
    assert err.fields == {"deadline", "status", "priority"}
    assert "Klart senast: ”31/12 2026” är inget giltigt datum. Skriv ÅÅÅÅ-MM-DD." in str(err)
    assert "Planerad, Pågående, Genomförd, Avbruten" in str(err)
    a = svc.create("action", analysis.id, title="Övning", deadline="2026-12-31", status="Pågående")
    assert a.status == "pagaende" and a.deadline == dt.date(2026, 12, 31)
    err = errors_of(lambda: svc.set_organisation(employees=-1))
    assert "Antal anställda: värdet -1 är mindre än 0." in str(err)
    err = errors_of(lambda: svc.create("dependency", analysis.id, name="El", dep_type="El", expected_outage="snart"))
    assert err.fields == {"expected_outage"}
    err = errors_of(lambda: svc.create("function", analysis.id, name="X", styrel_class=9))
    assert err.fields == {"styrel_class"}
    err = errors_of(lambda: svc.create("function", analysis.id, name="X", bogus=1))
    assert err.fields == {"bogus"}


def test_plan_exercise_dates_and_reserve_consistency(svc, analysis):
    errors_of(lambda: svc.create("continuity_plan", analysis.id, title="Plan", last_exercised="2026-05-01",
                                 next_exercise="2026-01-01"))
    errors_of(lambda: svc.create("dependency", analysis.id, name="El", dep_type="El", reserve_duration="3 dygn"))


def test_text_is_normalised_not_lost(svc, analysis):
    r = svc.create("risk", analysis.id, title="Rad ett\nrad två\x00\x07", description="A\x0cB\r\nC\x1b")
    assert r.title == "Rad ett rad två"
    assert r.description == "A\nB\nC"
    formula = svc.create("risk", analysis.id, title="=HYPERLINK(\"x\")", description="+1-2 @ <b>&")
    assert formula.title == "=HYPERLINK(\"x\")"  # kept as written; exports must escape it
    big = "ö" * 200_000
    assert len(svc.create("risk", analysis.id, title="Stor", description=big).description) == 200_000
    err = errors_of(lambda: svc.create("risk", analysis.id, title="x" * 1001))
    assert "texten är för lång" in str(err)


def test_references_must_stay_inside_the_analysis(svc, analysis):
    other = svc.create_analysis(2025)
    foreign = svc.create("function", other.id, name="Annan")
    err = errors_of(lambda: svc.create("continuity_plan", analysis.id, title="Plan", function_id=foreign.id))
    assert err.fields == {"function_id"}
    mine = svc.create("function", analysis.id, name="Min")
    dep = svc.create("dependency", other.id, name="El", dep_type="El")
    errors_of(lambda: svc.link("function_dependency", mine.id, dep.id))


def test_dependency_chains_cannot_be_circular(svc, analysis):
    a, b, c = (svc.create("dependency", analysis.id, name=n, dep_type="El") for n in "ABC")
    svc.link("dependency_dependency", a.id, b.id)
    svc.link("dependency_dependency", b.id, c.id)
    err = errors_of(lambda: svc.link("dependency_dependency", c.id, a.id))
    assert "cirkel" in str(err)
    errors_of(lambda: svc.link("dependency_dependency", a.id, a.id))


def test_duplicate_year_is_refused(svc, analysis):
    err = errors_of(lambda: svc.create_analysis(2026))
    assert "det finns redan en analys för 2026" in str(err)


def test_faststalld_analysis_is_read_only_until_reopened(svc, analysis):
    f = svc.create("function", analysis.id, name="Tillsyn")
    errors_of(lambda: svc.update("analysis", analysis.id, status="faststalld"))  # needs a date
    svc.adopt_analysis(analysis.id, dt.date(2026, 11, 1), "Överförmyndarnämnden 2026-11-01 § 12")
    with pytest.raises(ReadOnlyAnalysisError, match="fastställd"):
        svc.update("function", f.id, name="Ändrad")
    with pytest.raises(ReadOnlyAnalysisError):
        svc.create("risk", analysis.id, title="Ny")
    with pytest.raises(ReadOnlyAnalysisError):
        svc.delete("function", f.id)
    svc.reopen_analysis(analysis.id)
    svc.update("function", f.id, name="Ändrad")
    assert svc.get("function", f.id).name == "Ändrad"
    assert svc.analysis(analysis.id).adopted_decision.startswith("Överförmyndarnämnden")
