"""One table model for every item kind: columns described by the field registry, rows are snapshots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.items import Item
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.ui.widgets import fmt

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


def change_filter(proxy: QSortFilterProxyModel, apply: Callable[[], None]) -> None:
    """Change a proxy's row filter the way the installed Qt wants it announced.

    Qt 6.10 pairs beginFilterChange() with endFilterChange(); Qt 6.9 (the shipped version, see
    pyproject.toml) has only beginFilterChange() followed by invalidateFilter()."""
    proxy.beginFilterChange()
    apply()
    if hasattr(proxy, "endFilterChange"):
        proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
    else:
        proxy.invalidateFilter()


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Item], str]
    key: Callable[[Item], Any]
    tooltip: Callable[[Item], str] | None = None
    background: Callable[[Item], str | None] | None = None


def field_column(kind: str, name: str, session) -> Column:
    if name == "hid":
        return Column(QCoreApplication.translate("table", "ID"), lambda r: r.get("hid") or "",
                      lambda r: fmt.hid_key(r.get("hid")))
    spec = KINDS[kind].field(name)
    return Column(QCoreApplication.translate("kinds", spec.label),
                  lambda r: fmt.display(spec, r.get(name), session),
                  lambda r: fmt.sort_key(spec, r.get(name)),
                  tooltip=(lambda r: str(r.get(name) or "")) if field_type(spec).free_text else None)


_TEXT_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole})
_ROLES = _TEXT_ROLES | {Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole, SORT_ROLE, ID_ROLE}


class ItemTableModel(QAbstractTableModel):
    """Rows of `Item`s of one kind. Read-only: editing happens in the detail form."""

    def __init__(self, kind: str, columns: list[Column], parent=None):
        super().__init__(parent)
        self.kind = kind
        self.columns = list(columns)
        self.records: list[Item] = []
        self._sort_keys: dict[tuple[int, int], Any] = {}  # (row, column) → column.key(record), until the rows change
        self._texts: dict[tuple[int, int], str] = {}  # (row, column) → column.text(record), likewise
        self._ranks: dict[int, list[int] | None] = {}  # column → each row's place in the column's order, likewise
        self._order: tuple[int, Qt.SortOrder] | None = None  # the rows' order (sort_rows), kept by set_records

    # -- Qt API ------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role not in _ROLES:  # the view asks for ~10 roles per cell (font, alignment, …): most have no data
            return None
        if not index.isValid() or not (0 <= index.row() < len(self.records)):
            return None
        if role in _TEXT_ROLES:  # cached: sizing the columns and painting ask for the same text again and again
            key = (index.row(), index.column())
            try:
                return self._texts[key]
            except KeyError:
                text = self._texts[key] = self.columns[index.column()].text(self.records[index.row()])
                return text
        rec = self.records[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col.tooltip:
                tip = col.tooltip(rec)
                return tip if tip else None
            return None
        if role == Qt.ItemDataRole.BackgroundRole and col.background:
            colour = col.background(rec)
            return QBrush(QColor(colour)) if colour else None
        if role == SORT_ROLE:
            return self.sort_key(index.row(), index.column())
        if role == ID_ROLE:
            return rec.id
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title if 0 <= section < len(self.columns) else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.columns):
                return self.columns[section].title
            return None
        return str(section + 1) if 0 <= section < len(self.records) else None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    # -- updates -----------------------------------------------------------------------------

    def sort_key(self, row: int, column: int) -> Any:
        """What data(SORT_ROLE) returns, computed once per cell (a sort asks for each cell many times)."""
        key = (row, column)
        try:
            return self._sort_keys[key]
        except KeyError:
            value = self._sort_keys[key] = self.columns[column].key(self.records[row])
            return value

    def sort_ranks(self, column: int) -> list[int] | None:
        """Each row's rank in the order of the column's keys (equal keys, equal ranks), sorted once in Python,
        so that the proxy's many comparisons are comparisons of integers. None when the keys do not compare
        (the proxy then compares them pair by pair, as text when they must)."""
        try:
            return self._ranks[column]
        except KeyError:
            pass
        keys = [self.sort_key(row, column) for row in range(len(self.records))]
        ranks: list[int] | None = [0] * len(keys)
        try:
            order = sorted(range(len(keys)), key=keys.__getitem__)
            rank = 0
            for i, row in enumerate(order):
                if i and keys[order[i - 1]] < keys[row]:
                    rank += 1
                ranks[row] = rank
        except TypeError:
            ranks = None
        self._ranks[column] = ranks
        return ranks

    def _clear_caches(self) -> None:
        self._sort_keys.clear()
        self._texts.clear()
        self._ranks.clear()

    def _sorted(self, records: list[Item]) -> list[Item]:
        """`records` in the order of the chosen column (ItemFilterModel.sort), sorted once in Python: the proxy
        then keeps this order instead of calling a Python lessThan thousands of times per sort."""
        self.records = list(records)
        self._clear_caches()
        if self._order is None or not records or not 0 <= self._order[0] < len(self.columns):
            return self.records
        column, order = self._order
        ranks = self.sort_ranks(column)
        if ranks is not None:
            key = ranks.__getitem__
        else:  # keys that do not compare: as the proxy compared them, pair by pair, as text when they must
            import functools

            def cmp(a, b):
                ka, kb = self.sort_key(a, column), self.sort_key(b, column)
                try:
                    return -1 if ka < kb else (1 if kb < ka else 0)
                except TypeError:
                    return -1 if str(ka) < str(kb) else (1 if str(kb) < str(ka) else 0)
            key = functools.cmp_to_key(cmp)
        rows = sorted(range(len(records)), key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        out = [self.records[i] for i in rows]
        self._clear_caches()
        return out

    def sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        """Order the rows by `column` (what a click on the column's heading asks for)."""
        self._order = (column, order)
        if not self.records:
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self.records[i.row()].id if 0 <= i.row() < len(self.records) else None for i in before]
        self.records = self._sorted(self.records)
        row_of = {r.id: n for n, r in enumerate(self.records)}
        self.changePersistentIndexList(before, [self.index(row_of[i], old.column()) if i in row_of else QModelIndex()
                                                for i, old in zip(ids, before)])
        self.layoutChanged.emit()

    def set_records(self, records: list[Item]) -> bool:
        """Show `records`; False when they are the same items as before (only their values may differ)."""
        old_ids = [r.id for r in self.records]
        records = self._sorted(records)
        if [r.id for r in records] == old_ids and records:
            self.records = records
            self.dataChanged.emit(self.index(0, 0), self.index(len(records) - 1, len(self.columns) - 1))
            return False
        self.beginResetModel()
        self.records = records
        self.endResetModel()
        return True

    def replace_record(self, row: int, record: Item) -> None:
        """Show a new snapshot of one row's item (after an edit of its values): only that row is repainted,
        and the rows are sorted again only when the sorted column's key of the row changed."""
        old_key = self.sort_key(row, self._order[0]) if self._order and 0 <= self._order[0] < len(self.columns) \
            else None
        self.records[row] = record
        for column in range(len(self.columns)):
            self._texts.pop((row, column), None)
            self._sort_keys.pop((row, column), None)
        self._ranks.clear()
        if self._order and 0 <= self._order[0] < len(self.columns) and self.sort_key(row, self._order[0]) != old_key:
            self.sort_rows(*self._order)
            return
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def row_of(self, item_id: int) -> int:
        for i, r in enumerate(self.records):
            if r.id == item_id:
                return i
        return -1


class ItemFilterModel(QSortFilterProxyModel):
    """Sorting by each column's key (empty last), filtering on any column's text, and optionally on a
    set of item ids (e.g. the risks of a riskmatris cell, see ui/views/matrix_view.py)."""

    idFilterChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.id_filter: frozenset[int] | None = None

    def set_id_filter(self, ids) -> None:
        """Show only rows whose item id is in `ids` (None: every row)."""
        new = None if ids is None else frozenset(ids)
        if new == self.id_filter:
            return
        change_filter(self, lambda: setattr(self, "id_filter", new))
        self.idFilterChanged.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if isinstance(source, ItemTableModel) and self.sortRole() == SORT_ROLE and column >= 0:
            # The source sorts itself once in Python and keeps that order; the proxy shows the source's order.
            super().sort(-1, Qt.SortOrder.AscendingOrder)  # -1 with descending would reverse the source's order
            source.sort_rows(column, order)
            return
        super().sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if self.id_filter is not None:
            if self.sourceModel().index(source_row, 0, source_parent).data(ID_ROLE) not in self.id_filter:
                return False
        return super().filterAcceptsRow(source_row, source_parent)

    def lessThan(self, left, right) -> bool:
        source = self.sourceModel()
        if isinstance(source, ItemTableModel) and self.sortRole() == SORT_ROLE:  # the same values, without Qt's detour
            ranks = source.sort_ranks(left.column()) if left.column() == right.column() else None
            if ranks is not None:
                return ranks[left.row()] < ranks[right.row()]
            a, b = source.sort_key(left.row(), left.column()), source.sort_key(right.row(), right.column())
        else:
            a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class ReadOnlyRowsMixin:
    """Headings and flags of a flat, read-only table with fixed Swedish column headings (dialog lists).

    Use before QAbstractTableModel in the bases; set HEADERS, TR_CONTEXT (the translation context) and,
    for numbered rows, ROW_NUMBERS and a `rows` list.
    """

    HEADERS: tuple[str, ...] = ()
    TR_CONTEXT = "tables"
    ROW_NUMBERS = False

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.HEADERS):
                return QCoreApplication.translate(self.TR_CONTEXT, self.HEADERS[section])
            return None
        if self.ROW_NUMBERS and 0 <= section < len(self.rows):
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
