"""Analys → Skalor…: edit the analysis' scales (BRIEF §4), export and import scale files.

The dialog edits a working copy of the scales in the scale-file format (services/scale_edit/).
"Spara skalorna" – and importing a file – goes through `preview_scale_change`: when a stored rating
has no place on the new scale, `MappingDialog` lists every affected rating and asks, for each old value,
where its ratings go; nothing is applied until everything is mapped (never silent clamping). Then a
backup of the file is made (`make_backup(doc, "före-skaländring")`) and `apply_scale` rewrites scales and
ratings in one transaction.

A scale change is one undoable step: ReplaceAnalysisCommand captures the whole analysis before and
after, so undo restores every level and rating exactly (and earlier commands stay valid).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain.durations import DurationError, format_duration, parse_duration
from rsa_desktop.domain.scales import risk_value
from rsa_desktop.services import scale_edit
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.services.scales import ScaleFileError
from rsa_desktop.ui.commands import ops
from rsa_desktop.ui.widgets import hints
from rsa_desktop.ui.widgets.table_model import ReadOnlyRowsMixin

SCALE_FILTER = "Skalfiler (*.json);;Alla filer (*)"
NOT_UNDOABLE = ("En skaländring kan ångras med Ctrl+Z som ett steg (hela analysen återställs). "
                "En säkerhetskopia av filen tas också först.")


def _t(text: str) -> str:
    return QCoreApplication.translate("scale_editor", text)


# -- an editable table over a list of dicts --------------------------------------------------------------

class Column:
    def __init__(self, key: str, title: str, kind: str = "text"):
        self.key, self.title, self.kind = key, title, kind  # kind: text | int | minutes | colour


class RowsModel(QAbstractTableModel):
    """Rows are dicts of the template (levels, dimensions, bands, horizons); edits change them in place."""

    def __init__(self, columns: list[Column], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[dict[str, Any]] = []
        self.editable = True
        self.on_edit = None  # called after every edit

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        col = self.columns[index.column()]
        value = self.rows[index.row()].get(col.key)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col.kind == "minutes":
                return format_duration(value) if value else ""
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.DecorationRole and col.kind == "colour" and isinstance(value, str):
            c = QColor(value)
            return c if c.isValid() else None
        if role == Qt.ItemDataRole.BackgroundRole and col.kind == "colour" and isinstance(value, str):
            c = QColor(value)
            return QBrush(c) if c.isValid() else None
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.editable:
            return False
        col = self.columns[index.column()]
        text = str(value).strip()
        if col.kind == "int":
            try:
                new: Any = int(text)
            except ValueError:
                return False
        elif col.kind == "minutes":
            try:
                new = parse_duration(text)
            except DurationError:
                return False
            if not new:
                return False
        else:
            new = text
        row = self.rows[index.row()]
        if row.get(col.key) == new:
            return False
        row[col.key] = new
        self.dataChanged.emit(index, index)
        if self.on_edit:
            self.on_edit()
        return True

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return self.columns[section].title if 0 <= section < len(self.columns) else None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        return f | Qt.ItemFlag.ItemIsEditable if self.editable else f

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def add_row(self, row: dict[str, Any]) -> int:
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(row)
        self.endInsertRows()
        if self.on_edit:
            self.on_edit()
        return len(self.rows) - 1

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
            if self.on_edit:
                self.on_edit()


class RowsEditor(QWidget):
    """A table with Lägg till / Ta bort for one part of the scale."""

    def __init__(self, columns: list[Column], hint: str, new_row, parent=None, *, colour_button: bool = False):
        super().__init__(parent)
        self.new_row = new_row
        lay = QVBoxLayout(self)
        h = QLabel(hint, self)
        h.setWordWrap(True)
        hints.style_hint(h)
        lay.addWidget(h)
        self.model = RowsModel(columns, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        lay.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton(_t("Lägg till"), self)
        self.add_button.clicked.connect(self.add)
        row.addWidget(self.add_button)
        self.remove_button = QPushButton(_t("Ta bort"), self)
        self.remove_button.clicked.connect(self.remove)
        row.addWidget(self.remove_button)
        self.colour_button = None
        if colour_button:
            self.colour_button = QPushButton(_t("Välj färg…"), self)
            self.colour_button.clicked.connect(self.choose_colour)
            row.addWidget(self.colour_button)
        row.addStretch(1)
        lay.addLayout(row)

    def set_editable(self, on: bool) -> None:
        self.model.editable = on
        for b in (self.add_button, self.remove_button, self.colour_button):
            if b is not None:
                b.setEnabled(on)

    def add(self) -> None:
        row = self.model.add_row(self.new_row(self.model.rows))
        self.view.setCurrentIndex(self.model.index(row, 1 if self.model.columnCount() > 1 else 0))

    def remove(self) -> None:
        idx = self.view.currentIndex()
        if idx.isValid():
            self.model.remove_row(idx.row())

    def choose_colour(self) -> None:
        idx = self.view.currentIndex()
        if not idx.isValid():
            return
        col = next(i for i, c in enumerate(self.model.columns) if c.kind == "colour")
        current = QColor(self.model.rows[idx.row()].get("colour") or "#cccccc")
        chosen = QColorDialog.getColor(current, self, _t("Välj färg"))
        if chosen.isValid():
            self.model.setData(self.model.index(idx.row(), col), chosen.name())


# -- re-mapping ratings ------------------------------------------------------------------------------------

PART_TITLES = {"likelihood": "Sannolikhet", "consequence": "Konsekvens", "capability": "Förmåga",
               "dimensions": "Konsekvensdimension", "horizons": "Tidshorisont"}
DROP = "__drop__"


def _value_text(part: str, value, tpl: dict | None = None) -> str:
    if value is None:
        return ""
    if part == "horizons":
        return format_duration(value)
    if part == "dimensions":
        label = next((d["label"] for d in (tpl or {}).get("consequence_dimensions", []) if d["code"] == value), "")
        return f"{label} ({value})" if label else str(value)
    keys = {"likelihood": "likelihood_levels", "consequence": "consequence_levels", "capability": "capability_levels"}
    label = next((lv["label"] for lv in (tpl or {}).get(keys[part], []) if lv["value"] == value), "")
    return f"{value} – {label}" if label else str(value)


class AffectedModel(ReadOnlyRowsMixin, QAbstractTableModel):
    """Every rating the change touches: item, rating, old value, new value (or "ej vald")."""
    TR_CONTEXT = "scale_editor"

    HEADERS = ("Post", "Bedömning", "Nu", "Blir")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple[str, str, str, str, bool]] = []  # hid, field, old, new, still unmapped

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 3 and row[4]:
            return QBrush(QColor("#b3261e"))
        return None


    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


class ClassChangeModel(ReadOnlyRowsMixin, QAbstractTableModel):
    """Risks whose colour band changes: risk, band now, band after (with the place in the matrix)."""
    TR_CONTEXT = "scale_editor"

    HEADERS = ("Risk", "Nu", "Blir", "Varför")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple[str, str, str, str, str]] = []  # risk, now, after, why, colour of the new band

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return row[index.column()]
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 2 and row[4]:
            return QColor(row[4])
        return None

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


def _why(c) -> str:
    """Why a risk changes class: what happens to its ratings, or (same place) the new bands."""
    parts = []
    for word, old, new in ((_t("sannolikhet"), c.old_likelihood, c.new_likelihood),
                           (_t("konsekvens"), c.old_consequence, c.new_consequence)):
        if old != new:
            parts.append(f"{word} {old} → {new}")
    if not parts:
        return _t("nya färggränser, poäng {0}").format(risk_value(c.new_likelihood, c.new_consequence))
    return ", ".join(parts)


class MappingDialog(QDialog):
    """Granska skaländringen: where the ratings of removed values go, and which risks change colour band –
    with the bands editable here, so a change that reclassifies risks can be corrected in the same step.

    OK only when every used old value has a valid place and the bands are valid. `template` is the scale to
    apply, including any band edits made here."""

    def __init__(self, svc, analysis_id: int, template: dict, old_template: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_t("Granska skaländringen"))
        self.resize(1180, 640)
        self.svc, self.analysis_id, self.old_template = svc, analysis_id, old_template
        self.template = copy.deepcopy(template)
        self.preview = scale_edit.preview_scale_change(svc, analysis_id, template)
        self.combos: dict[tuple[str, Any], QComboBox] = {}
        lay = QVBoxLayout(self)
        needs = bool(self.preview.needs_mapping)
        intro = QLabel(self)
        intro.setWordWrap(True)
        intro.setText((_t("Några bedömningar använder värden som inte finns på den nya skalan. Välj för varje gammalt "
                          "värde vart bedömningarna ska flyttas. ") if needs else "")
                      + _t("Till höger: de risker som hamnar i en annan färgklass med den nya skalan. Ändra "
                           "färggränserna här om klasserna ska vara kvar. Inget ändras förrän du väljer Verkställ."))
        lay.addWidget(intro)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        lay.addWidget(split, 1)

        # left: the re-mapping of ratings
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox(_t("Gamla värden"), left)
        form = QFormLayout(box)
        new_values = {
            "likelihood": [lv["value"] for lv in template["likelihood_levels"]],
            "consequence": [lv["value"] for lv in template["consequence_levels"]],
            "capability": [lv["value"] for lv in template.get("capability_levels", [])],
            "dimensions": [d["code"] for d in template["consequence_dimensions"]],
            "horizons": [h["minutes"] for h in template["time_horizons"]],
        }
        for part, olds in self.preview.needs_mapping.items():
            for old in olds:
                combo = QComboBox(box)
                combo.addItem(_t("— välj —"), None)
                for v in new_values[part]:
                    combo.addItem(_value_text(part, v, template), v)
                if part in ("dimensions", "horizons"):
                    combo.addItem(_t("Ta bort bedömningarna"), DROP)
                n = sum(1 for r in self.preview.invalid if r.part == part and r.old == old)
                label = _t("{0} {1} ({2} bedömningar)").format(_t(PART_TITLES[part]),
                                                               _value_text(part, old, old_template), n)
                combo.setAccessibleName(label)
                combo.currentIndexChanged.connect(lambda _i: self.update_preview())
                form.addRow(label, combo)
                self.combos[(part, old)] = combo
        ll.addWidget(box)
        row = QHBoxLayout()
        self.suggest_button = QPushButton(_t("Fyll i förslag"), left)
        self.suggest_button.setToolTip(_t("Närmaste nivå, dimension med samma namn, närmaste kortare tidshorisont. "
                                          "Granska förslaget innan du verkställer."))
        self.suggest_button.clicked.connect(self.fill_suggestion)
        row.addWidget(self.suggest_button)
        row.addStretch(1)
        ll.addLayout(row)
        self.affected = AffectedModel(self)
        self.table = QTableView(left)
        self.table.setModel(self.affected)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName(_t("Bedömningar som flyttas"))
        self.table.setWordWrap(False)
        th = self.table.horizontalHeader()
        th.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        th.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)  # long labels: "Nu" and "Blir" stay in view
        th.resizeSection(1, 230)
        th.setStretchLastSection(True)
        ll.addWidget(self.table, 1)
        box.setVisible(needs)
        self.suggest_button.setVisible(needs)
        split.addWidget(left)

        # right: risks that change class, and the bands
        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.class_title = QLabel(right)
        self.class_title.setStyleSheet("font-weight: 600;")
        rl.addWidget(self.class_title)
        self.classes = ClassChangeModel(self)
        self.class_table = QTableView(right)
        self.class_table.setModel(self.classes)
        self.class_table.verticalHeader().hide()
        self.class_table.setAccessibleName(_t("Risker som byter färgklass"))
        self.class_table.setWordWrap(False)
        header = self.class_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(0, 270)
        header.resizeSection(1, 120)
        header.resizeSection(2, 130)
        rl.addWidget(self.class_table, 3)
        self.bands = RowsEditor(
            [Column("min_score", _t("Från poäng"), "int"), Column("label", _t("Benämning")),
             Column("colour", _t("Färg (#rrggbb)"), "colour")],
            _t("Färggränserna på den nya skalan (poäng = sannolikhet × konsekvens). Ändringar här syns direkt i "
               "listan ovan."),
            lambda rows: {"min_score": max((r["min_score"] for r in rows), default=0) + 1, "label": _t("Nytt band"),
                          "colour": "#9e9e9e"}, right, colour_button=True)
        self.bands.model.set_rows(self.template["colour_bands"])
        self.bands.model.on_edit = self.update_preview
        self.keep_button = QPushButton(_t("Föreslå gränser som behåller klasserna"), self.bands)
        self.keep_button.setToolTip(_t("Flyttar färggränserna så att så få risker som möjligt byter klass. "
                                       "Granska förslaget innan du verkställer."))
        self.keep_button.clicked.connect(self.suggest_bands)
        self.bands.layout().itemAt(self.bands.layout().count() - 1).layout().insertWidget(3, self.keep_button)
        rl.addWidget(self.bands, 2)
        split.addWidget(right)
        split.setSizes([480, 700] if needs else [0, 1180])
        left.setVisible(needs or bool(self.preview.moves))

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_t("Verkställ"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_t("Avbryt"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.update_preview()

    def set_choice(self, part: str, old, new) -> None:
        combo = self.combos[(part, old)]
        combo.setCurrentIndex(combo.findData(DROP if new is None else new))

    def fill_suggestion(self) -> None:
        for part, m in scale_edit.suggest_mapping(self.svc, self.analysis_id, self.template).items():
            for old, new in m.items():
                if (part, old) in self.combos and new is not None:
                    self.set_choice(part, old, new)

    def suggest_bands(self) -> bool:
        """"Föreslå gränser som behåller klasserna" (services/scale_edit.suggest_bands)."""
        try:
            bands = scale_edit.suggest_bands(self.svc, self.analysis_id, self.template, self.mapping())
        except (ScaleFileError, ValidationError):
            return False  # the status line already says what is wrong
        self.template["colour_bands"] = bands
        self.bands.model.set_rows(self.template["colour_bands"])
        self.update_preview()
        return True

    def set_band_score(self, row: int, score: int) -> bool:
        """Change one band's lowest score, as the user does by editing the table."""
        return self.bands.model.setData(self.bands.model.index(row, 0), str(score))

    def mapping(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for (part, old), combo in self.combos.items():
            value = combo.currentData()
            if value is None:
                continue
            out.setdefault(part, {})[old] = None if value == DROP else value
        return out

    def update_preview(self) -> None:
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            p = scale_edit.preview_scale_change(self.svc, self.analysis_id, self.template, self.mapping())
        except ScaleFileError as exc:  # a band edited here is not valid (yet)
            self.current = None
            ok_button.setEnabled(False)
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #b3261e;")
            return
        self.status.setStyleSheet("")
        rows = []
        for r in p.unmapped:
            rows.append((r.hid, r.field_label, _value_text(r.part, r.old, self.old_template), _t("ej vald"), True))
        for r in p.moves:
            new = _t("tas bort") if r.dropped else _value_text(r.part, r.new, self.template)
            rows.append((r.hid, r.field_label, _value_text(r.part, r.old, self.old_template), new, False))
        rows.sort(key=lambda t: (t[0], t[1]))
        self.affected.set_rows(rows)
        colours = {b["label"]: b["colour"] for b in self.template["colour_bands"]}
        self.classes.set_rows([(f"{c.hid} {c.title}", c.old_band, c.new_band, _why(c), colours.get(c.new_band, ""))
                               for c in p.class_changes])
        n = len(p.class_changes)
        self.class_title.setText(_t("Inga risker byter färgklass.") if not n else
                                 _t("1 risk byter färgklass") if n == 1 else
                                 _t("{0} risker byter färgklass").format(n))
        self.current = p
        ok = p.ok
        ok_button.setEnabled(ok)
        lines = []
        if p.unmapped:
            lines.append(_t("{0} bedömningar saknar ännu ett nytt värde.").format(len(p.unmapped)))
        lines += list(p.mapping_errors) + list(p.merges)
        if ok:
            lines.append(_t("Alla bedömningar har en plats på den nya skalan.") + (
                " " + _t("Riskerna till höger får en annan färgklass om du verkställer.") if n else ""))
        self.status.setText("\n".join(lines))


# -- the dialog -----------------------------------------------------------------------------------------------

class ScaleEditorDialog(QDialog):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.svc = session.svc
        self.analysis_id = session.analysis_id
        a = session.analysis()
        self.read_only = session.read_only()
        self.setWindowTitle(_t("Skalor för analysen {0}").format(a.year if a else ""))
        self.resize(900, 620)
        self.stored = scale_edit.current_template(self.svc, self.analysis_id)
        self.template = copy.deepcopy(self.stored)
        self.dirty = False

        lay = QVBoxLayout(self)
        info = QLabel(self)
        info.setWordWrap(True)
        info.setText(_t("Skalorna gäller bara den här analysen. Ändringarna sparas när du väljer Spara skalorna; "
                        "bedömningar som får ett värde som inte finns kvar flyttas först, efter ditt val.") + " "
                     + "<b>" + _t(NOT_UNDOABLE) + "</b>")
        info.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(info)
        if self.read_only:
            ro = QLabel(_t("Analysen är fastställd och kan inte ändras. Du kan exportera skalan."), self)
            ro.setStyleSheet("color: #b3261e;")
            lay.addWidget(ro)

        self.tabs = QTabWidget(self)
        lay.addWidget(self.tabs, 1)

        def next_value(rows):
            return {"value": max((r["value"] for r in rows), default=0) + 1, "label": _t("Ny nivå"), "description": ""}

        self.editors: dict[str, RowsEditor] = {}
        self.editors["likelihood_levels"] = RowsEditor(
            [Column("value", _t("Nivå"), "int"), Column("label", _t("Benämning")),
             Column("frequency", _t("Frekvens")), Column("description", _t("Beskrivning"))],
            _t("Sannolikhetsnivåerna (radernas ordning i matrisen följer nivån). Dubbelklicka för att ändra."),
            lambda rows: {**next_value(rows), "frequency": ""}, self)
        self.editors["consequence_levels"] = RowsEditor(
            [Column("value", _t("Nivå"), "int"), Column("label", _t("Benämning")),
             Column("description", _t("Beskrivning"))],
            _t("Konsekvensnivåerna, gemensamma för alla konsekvensdimensioner och för konsekvens över tid."),
            next_value, self)
        self.editors["consequence_dimensions"] = RowsEditor(
            [Column("code", _t("Kod")), Column("label", _t("Benämning")), Column("description", _t("Beskrivning"))],
            _t("Skyddsvärden som varje risk bedöms mot. Koden (små bokstäver, siffror, understreck) knyter "
               "bedömningarna till dimensionen; byt den inte i onödan."),
            lambda rows: {"code": f"dimension_{len(rows) + 1}", "label": _t("Ny dimension"), "description": ""}, self)
        self.editors["colour_bands"] = RowsEditor(
            [Column("min_score", _t("Från poäng"), "int"), Column("label", _t("Benämning")),
             Column("colour", _t("Färg (#rrggbb)"), "colour")],
            _t("Cellens poäng är sannolikhet × konsekvens. Ett band gäller från sin poäng upp till nästa bands."),
            lambda rows: {"min_score": max((r["min_score"] for r in rows), default=0) + 1, "label": _t("Nytt band"),
                          "colour": "#9e9e9e"}, self, colour_button=True)
        self.editors["capability_levels"] = RowsEditor(
            [Column("value", _t("Nivå"), "int"), Column("label", _t("Benämning")),
             Column("description", _t("Beskrivning"))],
            _t("Förmågeskalan är frivillig; en förmåga ska alltid ha en motivering i fritext."), next_value, self)
        self.editors["time_horizons"] = RowsEditor(
            [Column("minutes", _t("Tid"), "minutes"), Column("label", _t("Benämning"))],
            _t("Tidshorisonterna för konsekvens över tid, t.ex. 4 h, 1 dygn, 1 vecka."),
            lambda rows: {"minutes": max((r["minutes"] for r in rows), default=0) * 2 or 60, "label": ""}, self)
        titles = {"likelihood_levels": "Sannolikhet", "consequence_levels": "Konsekvens",
                  "consequence_dimensions": "Konsekvensdimensioner", "colour_bands": "Färggränser",
                  "capability_levels": "Förmåga", "time_horizons": "Tidshorisonter"}
        for key, editor in self.editors.items():
            editor.model.on_edit = self._edited
            self.tabs.addTab(editor, _t(titles[key]))

        agg = QWidget(self)
        fl = QFormLayout(agg)
        self.aggregation = QComboBox(agg)
        self.aggregation.addItem(_t("Högsta konsekvensen bland dimensionerna"), "max")
        self.aggregation.addItem(_t("Medelvärdet av dimensionerna, avrundat uppåt"), "mean")
        self.aggregation.activated.connect(lambda _i: self._set_key("consequence_aggregation",
                                                                    self.aggregation.currentData()))
        fl.addRow(_t("Sammanvägd konsekvens:"), self.aggregation)
        self.unacceptable = QComboBox(agg)
        self.unacceptable.activated.connect(lambda _i: self._set_key("unacceptable_level",
                                                                     self.unacceptable.currentData()))
        fl.addRow(_t("Oacceptabel konsekvensnivå:"), self.unacceptable)
        hint = QLabel(_t("Den oacceptabla nivån används för förslaget på acceptabel avbrottstid: den sista "
                         "tidshorisonten innan konsekvensen når nivån."), agg)
        hint.setWordWrap(True)
        hints.style_hint(hint)
        fl.addRow(hint)
        self.tabs.addTab(agg, _t("Sammanvägning"))
        self.aggregation_tab = agg

        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        lay.addWidget(self.error)
        self.saved = QLabel(self)  # after Spara skalorna: what happened to the confirmation (step 1)
        self.saved.setWordWrap(True)
        self.saved.hide()
        lay.addWidget(self.saved)
        row = QHBoxLayout()
        self.export_button = QPushButton(_t("Exportera skalfil…"), self)
        self.export_button.clicked.connect(lambda: self.export_to())
        row.addWidget(self.export_button)
        self.import_button = QPushButton(_t("Importera skalfil…"), self)
        self.import_button.clicked.connect(lambda: self.import_from())
        row.addWidget(self.import_button)
        row.addStretch(1)
        self.revert_button = QPushButton(_t("Återställ"), self)
        self.revert_button.setToolTip(_t("Glöm ändringarna som inte är sparade"))
        self.revert_button.clicked.connect(self.revert)
        row.addWidget(self.revert_button)
        self.save_button = QPushButton(_t("Spara skalorna"), self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save())
        row.addWidget(self.save_button)
        self.close_button = QPushButton(_t("Stäng"), self)
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.close_button)
        lay.addLayout(row)
        self._load()

    # -- working copy -----------------------------------------------------------------------------------

    def _load(self) -> None:
        for key, editor in self.editors.items():
            self.template.setdefault(key, [])
            editor.model.set_rows(self.template[key])
            editor.set_editable(not self.read_only)
        self._fill_combos()
        for w in (self.aggregation, self.unacceptable, self.import_button):
            w.setEnabled(not self.read_only)
        self._update_buttons()

    def _fill_combos(self) -> None:
        self.aggregation.setCurrentIndex(max(self.aggregation.findData(self.template.get("consequence_aggregation",
                                                                                         "max")), 0))
        self.unacceptable.clear()
        for lv in sorted(self.template["consequence_levels"], key=lambda lv: lv["value"]):
            self.unacceptable.addItem(f"{lv['value']} – {lv['label']}", lv["value"])
        self.unacceptable.setCurrentIndex(max(self.unacceptable.findData(self.template.get("unacceptable_level")), 0))

    def _set_key(self, key: str, value) -> None:
        if self.template.get(key) != value:
            self.template[key] = value
            self._edited()

    def _edited(self) -> None:
        self.dirty = self.template != self.stored
        self._fill_combos()
        self.error.hide()
        self.saved.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self.dirty and not self.read_only)
        self.revert_button.setEnabled(self.dirty)

    def revert(self) -> None:
        self.template = copy.deepcopy(self.stored)
        self.dirty = False
        self._load()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    # -- apply ---------------------------------------------------------------------------------------------

    def exec_mapping(self, dlg: MappingDialog) -> bool:
        return dlg.exec() == QDialog.DialogCode.Accepted

    def save(self) -> bool:
        """Check the working copy, re-map ratings if needed, back up, apply. True when applied."""
        if self.read_only:
            return False
        try:
            tpl = scale_edit.validate_template(self.template)
        except ScaleFileError as exc:
            self._show_error(str(exc))
            return False
        preview = scale_edit.preview_scale_change(self.svc, self.analysis_id, tpl)
        mapping: dict = {}
        if not preview.ok or preview.needs_mapping or preview.class_changes:
            # Ratings to re-map, or risks that would change colour band: the user sees them and decides here.
            dlg = MappingDialog(self.svc, self.analysis_id, tpl, self.stored, self)
            if not self.exec_mapping(dlg):
                return False
            if dlg.current is None or not dlg.current.ok:
                return False
            mapping, tpl = dlg.mapping(), scale_edit.validate_template(dlg.template)
        a, scales = self.svc.analysis(self.analysis_id), self.svc.scales(self.analysis_id)
        # Scales the user had confirmed stay confirmed when the user changes them here (the change is a
        # deliberate, reviewed decision), so step 1 does not fall back to "Påbörjad" for it.
        confirmed = bool(a.scales_confirmed) and a.scales_confirmed == scales.fingerprint

        def operation() -> None:
            scale_edit.apply_scale(self.svc, self.analysis_id, tpl, mapping)
            if confirmed:
                self.svc.confirm_scales(self.analysis_id)

        def save() -> None:
            from rsa_desktop.storage.backups import make_backup
            from rsa_desktop.ui.commands.undo import ReplaceAnalysisCommand

            make_backup(self.session.doc, "före-skaländring")
            ops.execute(self.session, ReplaceAnalysisCommand(self.session, self.analysis_id, _t("Ändra skalorna"),
                                                             operation))

        if not ops.run_op(self, save, expected=(ScaleFileError,),
                          on_error=lambda exc: self._show_error(ops.error_text(exc))).ok:
            return False
        self.session.notify("")
        self.stored = scale_edit.current_template(self.svc, self.analysis_id)
        self.template = copy.deepcopy(self.stored)
        self.dirty = False
        self._load()
        self._show_saved(_t("Skalorna är sparade och fortfarande bekräftade för årets analys.") if confirmed else
                         _t("Skalorna är sparade. De är ännu inte bekräftade, så steg 1 (Uppdrag och avgränsning) "
                            "visas som Påbörjad tills ni har granskat och bekräftat dem där."), confirmed)
        return True

    def _show_saved(self, text: str, done: bool) -> None:
        self.saved.setText(text)
        self.saved.setStyleSheet("color: #2e7d32;" if done else "color: #b26a00;")  # the step colours (Översikt)
        self.saved.show()

    # -- files --------------------------------------------------------------------------------------------

    def export_to(self, path: str | Path | None = None) -> Path | None:
        if self.dirty:
            QMessageBox.information(self, _t("Exportera skalfil"),
                                    _t("Spara eller återställ ändringarna först; exporten skriver de sparade "
                                       "skalorna."))
            return None
        if path is None:
            start = str(self.session.path.with_name(self.session.path.stem + " skala.json")) if self.session.path else ""
            path, _ = QFileDialog.getSaveFileName(self, _t("Exportera skalfil"), start, _t(SCALE_FILTER))
            if not path:
                return None
            if not str(path).lower().endswith(".json"):
                path = str(path) + ".json"
        try:
            out = scale_edit.export_scale_file(self.svc, self.analysis_id, path)
        except ScaleFileError as exc:
            self._show_error(str(exc))
            return None
        self.error.hide()
        return out

    def import_from(self, path: str | Path | None = None) -> bool:
        """Read a scale file into the working copy, then save it (preview and re-mapping first)."""
        if self.read_only:
            return False
        if path is None:
            start = str(self.session.path.parent) if self.session.path else ""
            path, _ = QFileDialog.getOpenFileName(self, _t("Importera skalfil"), start, _t(SCALE_FILTER))
            if not path:
                return False
        try:
            tpl = scale_edit.read_scale_file(path)
        except ScaleFileError as exc:
            self._show_error(str(exc))
            return False
        self.template = tpl
        self.dirty = self.template != self.stored
        self._load()
        if not self.dirty:
            return True
        return self.save()


def show_scale_editor(session, parent=None) -> None:
    if not session.svc or session.analysis_id is None:
        return
    ScaleEditorDialog(session, parent).exec()
