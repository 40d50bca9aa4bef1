"""Step states as the navigator shows them (ui/steps/completeness.py, Qt-free): an Åtgärder step with nothing to do is
done, not "ej påbörjad", and the report step counts the eight work steps it says it counts."""

import datetime as dt

from rsa_desktop.ui.steps import completeness

TODAY = dt.date(2026, 11, 22)


def _risk(svc, aid, likelihood, consequence):
    scales = svc.scales(aid)
    r = svc.create("risk", aid, title="Elavbrott", likelihood=likelihood, motivation="Har hänt i Stockholm")
    svc.set_consequence(r.id, scales.dimensions[0].id, consequence)
    f = svc.create("function", aid, name="Akuta ärenden")
    svc.link("risk_function", r.id, f.id)
    return r


def test_no_actions_needed_is_a_done_step(svc, analysis):
    svc.confirm_scales(analysis.id)
    _risk(svc, analysis.id, 1, 1)  # low: RSA-kontroll asks for no åtgärd
    statuses, _snap, findings = completeness.assess(svc, analysis.id, today=TODAY)
    assert statuses["risker"].state == "klar"  # the rule applies once the risks are assessed
    assert not [f for f in findings if f.step == "atgarder"]
    assert statuses["atgarder"].state == "klar"
    assert statuses["atgarder"].summary == "Inga åtgärder behövs enligt RSA-kontrollen"


def test_a_high_risk_without_action_keeps_the_step_open(svc, analysis):
    svc.confirm_scales(analysis.id)
    _risk(svc, analysis.id, 4, 4)  # 16: needs an åtgärd
    statuses, _snap, findings = completeness.assess(svc, analysis.id, today=TODAY)
    assert [f for f in findings if f.step == "atgarder"]
    assert statuses["atgarder"].state != "klar"




def test_report_summary_counts_eight_work_steps(svc, analysis):
    statuses, _snap, _findings = completeness.assess(svc, analysis.id, today=TODAY)
    assert statuses["rapport"].summary.endswith("av 8 arbetssteg klara (steg 1–8)")
