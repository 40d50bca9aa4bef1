"""UI test setup: offscreen Qt, user data in a temporary folder, Swedish Qt translations, and any
unexpected Qt warning fails the test (the offscreen plugin's propagateSizeHints notice is ignored)."""

import os
import tempfile

# Before Qt is imported anywhere.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("RSA_DESKTOP_DATA", tempfile.mkdtemp(prefix="rsa-ui-tests-"))

import datetime as dt  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QtMsgType  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402

IGNORED_QT_MESSAGES = ("propagateSizeHints",)


@pytest.fixture(autouse=True)
def _ui_user_data(tmp_path, monkeypatch):
    monkeypatch.setenv("RSA_DESKTOP_DATA", str(tmp_path / "userdata"))


@pytest.fixture(autouse=True)
def _fail_on_qt_warnings(qtlog):
    yield
    bad = [r for r in qtlog.records
           if r.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
           and not any(s in r.message for s in IGNORED_QT_MESSAGES)]
    if bad:
        pytest.fail("Oväntade Qt-varningar:\n" + "\n".join(r.message for r in bad))


@pytest.fixture(scope="session", autouse=True)
def _swedish(qapp):
    from rsa_desktop.ui.app import i18n

    assert i18n.install_translations(qapp)
    return qapp


@pytest.fixture
def messages(monkeypatch):
    """Message boxes are recorded instead of blocking the test."""
    seen: list[tuple[str, str, str]] = []

    def record(kind, answer):
        def box(_parent, title, text, *args, **kwargs):
            seen.append((kind, title, text))
            return answer
        return box

    monkeypatch.setattr(QMessageBox, "warning", record("warning", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "information", record("information", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "critical", record("critical", QMessageBox.StandardButton.Ok))
    return seen


@pytest.fixture
def confirm_yes(monkeypatch):
    asked: list[tuple[str, str]] = []

    def confirm(_parent, _title, text, informative=""):
        asked.append((text, informative))
        return True

    monkeypatch.setattr("rsa_desktop.ui.dialogs.common.confirm", confirm)
    return asked


@pytest.fixture
def window(qtbot, messages):
    from rsa_desktop.ui.app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def build_sample(path) -> dict[str, int]:
    """A small analysis written through the service API: ids by short name."""
    doc = Document.create(path)
    svc = RsaService(doc)
    ids: dict[str, int] = {}
    with svc.batch():
        svc.set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd", employees=60)
        a = svc.create_analysis(2026, assignment="Årlig RSA enligt säkerhetsprogrammet.")
        aid = ids["analysis"] = a.id
        ids["V1"] = svc.create("function", aid, name="Tillsyn över ställföreträdare", is_critical=True,
                               operation="egen", max_tolerable_downtime=4320).id
        ids["V2"] = svc.create("function", aid, name="Utbetalningar", is_critical=True, operation="extern").id
        ids["B1"] = svc.create("dependency", aid, dep_type="IT-system", name="Verksamhetssystemet").id
        ids["B2"] = svc.create("dependency", aid, dep_type="El", name="El till lokalen").id
        svc.link("function_dependency", ids["V1"], ids["B1"], tolerance=1440)
        ids["R1"] = svc.create("risk", aid, title="Långvarigt elavbrott", likelihood=3).id
        dims = svc.scales(aid).dimensions
        svc.set_consequence(ids["R1"], dims[0].id, 4)
        svc.link("risk_function", ids["R1"], ids["V1"])
        ids["S1"] = svc.create("vulnerability", aid, title="En person kan göra utbetalningar").id
        ids["F1"] = svc.create("capability", aid, area="Krisledning", rating=2).id
        ids["A1"] = svc.create("action", aid, title="Utbilda ersättare", owner="Enhetschef",
                               deadline=dt.date.today() + dt.timedelta(days=10)).id
        svc.link("action_risk", ids["A1"], ids["R1"])
        ids["K1"] = svc.create("continuity_plan", aid, title="Plan för tillsyn", function_id=ids["V1"]).id
        svc.create("fallback", ids["K1"], dependency_id=ids["B1"], procedure="Manuella blanketter", duration=4320)
        svc.create("contact", ids["K1"], name="Förvaltningschef", role="Krisledare")
        ids["Ö1"] = svc.create("exercise", aid, title="Seminarieövning elavbrott").id
        svc.create("participant", aid, name="Anna Andersson", role="Processledare")
    doc.close()
    return ids


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "prov.rsa"
    ids = build_sample(path)
    return path, ids


def type_text(qtbot, widget, text: str) -> None:
    """Type text as key events carrying the text (safe for å, ä, ö; qtbot.keyClicks is not)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for ch in text:
        for etype in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(etype, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))
