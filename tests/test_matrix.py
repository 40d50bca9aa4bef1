import pytest

from rsa_desktop.services.matrix import matrix_data


@pytest.fixture
def rated(svc, analysis):
    scales = svc.scales(analysis.id)
    dim = {d.code: d.id for d in scales.dimensions}
    out = {}
    for title, l, cons, residual, secret in (
        ("Elavbrott", 2, {"liv_halsa": 3, "funktionalitet": 5}, (1, 3), False),
        ("Cyberangrepp", 4, {"funktionalitet": 4}, (2, 3), True),
        ("Brand", 1, {"liv_halsa": 2}, (None, None), False),
        ("Oklar", None, {"liv_halsa": 2}, (None, None), False),
    ):
        r = svc.create("risk", analysis.id, title=title, likelihood=l, residual_likelihood=residual[0],
                       residual_consequence=residual[1], secret=secret)
        for code, lv in cons.items():
            svc.set_consequence(r.id, dim[code], lv)
        out[title] = r
    return out


@pytest.mark.parametrize("likelihood, consequence, band", [
    (1, 1, "Låg risk"), (1, 4, "Låg risk"), (1, 5, "Måttlig risk"), (3, 3, "Måttlig risk"), (2, 5, "Hög risk"),
    (3, 4, "Hög risk"), (3, 5, "Mycket hög risk"), (5, 5, "Mycket hög risk"), (4, 2, "Måttlig risk"),
])
def test_every_cell_gets_its_band_colour(svc, analysis, likelihood, consequence, band):
    data = matrix_data(svc, analysis.id)
    assert len(data.cells) == 25
    cell = data.cell(likelihood, consequence)
    colours = {b.label: b.colour for b in svc.scales(analysis.id).bands}
    assert cell.band == band and cell.colour == colours[band]


def test_risks_sit_at_overall_consequence(svc, analysis, rated):
    data = matrix_data(svc, analysis.id)
    assert data.cell(2, 5).hids == ("R1",)
    assert data.cell(4, 4).hids == ("R2",)
    assert data.cell(1, 2).hids == ("R3",)
    assert [p.hid for p in data.unplaced] == ["R4"]
    assert sum(len(c.hids) for c in data.cells) == 3


def test_per_dimension_residual_and_public_views(svc, analysis, rated):
    life = matrix_data(svc, analysis.id, dimension="liv_halsa")
    assert life.cell(2, 3).hids == ("R1",) and life.dimension_label == "Människors liv och hälsa"
    assert "R2" in [p.hid for p in life.unplaced]
    residual = matrix_data(svc, analysis.id, residual=True)
    assert residual.cell(1, 3).hids == ("R1",) and residual.cell(2, 3).hids == ("R2",)
    public = matrix_data(svc, analysis.id, include_secret=False)
    assert "R2" not in [p.hid for p in public.points]
    with pytest.raises(KeyError):
        matrix_data(svc, analysis.id, dimension="okand")


def test_cell_markers_show_where_a_risk_is_now_and_was_last_year(svc, analysis, rated):
    """Qt-free: what each cell of the GUI matrix shows (solid IDs, hollow markers), and who is unplaced."""
    from rsa_desktop.services.matrix import cell_markers

    r1, r2, r3 = rated["Elavbrott"], rated["Cyberangrepp"], rated["Brand"]
    data = matrix_data(svc, analysis.id, residual=True)
    previous = {r1.id: (5, 5), r2.id: (9, 9), r3.id: (3, 3)}  # (9, 9) is off the grid; R3 has no residual
    assert cell_markers(data, residual=True, previous=previous) == {
        (1, 3): [("solid", r1.id, "R1")], (2, 3): [("solid", r2.id, "R2")],
        (2, 5): [("residual", r1.id, "R1")], (5, 5): [("previous", r1.id, "R1")],
        (4, 4): [("residual", r2.id, "R2")]}
    assert data.cell_points(1, 3)[0].risk_id == r1.id and data.cell_points(9, 9) == []
    assert [p.hid for p in data.unplaced_at(True)] == ["R3", "R4"]
    assert [p.hid for p in data.unplaced_at(False)] == ["R4"]
    plain = matrix_data(svc, analysis.id)
    assert cell_markers(plain, previous={r1.id: (2, 5)}) == {  # same place as last year: no marker
        (2, 5): [("solid", r1.id, "R1")], (4, 4): [("solid", r2.id, "R2")], (1, 2): [("solid", r3.id, "R3")]}
