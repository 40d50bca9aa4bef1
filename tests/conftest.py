import os
import sys
from pathlib import Path

# Before anything imports Qt: no display in tests, and user data kept out of the real home.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402


@pytest.fixture(autouse=True)
def _user_data(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("RSA_DESKTOP_DATA", str(tmp_path_factory.mktemp("userdata")))


@pytest.fixture(autouse=True)
def _program_catalogues():
    # A file's catalogue package is process-wide while it is open; no test leaves one behind.
    from rsa_desktop.services import catalogues

    catalogues.activate(None)
    yield
    catalogues.activate(None)


@pytest.fixture
def doc(tmp_path):
    d = Document.create(tmp_path / "analys.rsa")
    yield d
    d.close()


@pytest.fixture
def svc(doc):
    s = RsaService(doc)
    s.set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd", committee="Överförmyndarnämnden")
    return s


@pytest.fixture
def analysis(svc):
    return svc.create_analysis(2026)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory):
    from rsa_desktop.services.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.rsa")
