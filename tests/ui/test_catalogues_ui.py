"""Every catalogue behind a field is offered in that field's form, and free text is still allowed."""

from PySide6.QtWidgets import QComboBox

from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.services import catalogues
from rsa_desktop.ui.widgets.forms import ItemForm


def test_each_catalogue_field_offers_its_catalogue(window, sample):
    path, _ids = sample
    assert window.open_path(path)
    used = set()
    for spec in KINDS.values():
        catalog_fields = tuple(f.name for f in spec.fields if f.type == "catalog")
        if not catalog_fields:
            continue
        form = ItemForm(window.session, spec, catalog_fields)
        for name in catalog_fields:
            combo = form.editors[name].widget
            assert isinstance(combo, QComboBox) and combo.isEditable(), (spec.kind, name)
            offered = {combo.itemText(i) for i in range(combo.count())}
            expected = set(catalogues.labels(spec.field(name).catalog))
            assert expected and expected <= offered, (spec.kind, name)
            used.add(spec.field(name).catalog)
        form.deleteLater()
    assert {"msb_sectors", "preparedness_sectors", "dependency_types", "scenarios", "scenario_categories",
            "city_organisations", "capability_areas"} <= used
