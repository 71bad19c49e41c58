"""The "Tìm kiếm toàn bộ" tab: citizens, cases and petitions found by services.search."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget
from sqlalchemy import Engine

from reception_desk.services.errors import ValidationError
from reception_desk.services.search import KIND_LABELS, SearchHit, search
from reception_desk.ui.background import BackgroundOp, show_failure

TITLE = "Tìm kiếm toàn bộ"
HEADERS = ("Loại", "Mã", "Tên / tiêu đề", "Chi tiết")
RESULT_LIMIT = 50

_Index = QModelIndex | QPersistentModelIndex


class SearchHitsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit_at(self, row: int) -> SearchHit:
        return self._hits[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._hits)):
            return None
        hit = self._hits[index.row()]
        values = (KIND_LABELS.get(hit.kind, hit.kind), hit.ref, hit.title, hit.detail)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() >= 2:
            return values[index.column()]
        return None


class GlobalSearchPane(QWidget):
    """Runs services.search for the search box text while this tab is shown."""

    status_changed = Signal(str)

    def __init__(self, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._generation = 0
        self.query = ""
        self.status = "Gõ họ tên, số giấy tờ, số điện thoại hoặc nội dung đơn để tìm trong mọi hồ sơ."
        self.loading = False
        self.model = SearchHitsModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("global_search_table")
        self.view.setAccessibleName("Kết quả tìm kiếm toàn bộ")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        char = self.view.fontMetrics().averageCharWidth()
        for column, width in enumerate((10, 16, 40)):
            header.resizeSection(column, width * char + 16)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def _set_status(self, text: str) -> None:
        self.status = text
        self.status_changed.emit(text)

    def rerun(self) -> None:
        """Search again for the same text (the data changed)."""
        if self.query:
            query, self.query = self.query, ""
            self.run(query)

    def run(self, text: str) -> None:
        text = text.strip()
        if text == self.query:
            return
        self.query = text
        self._generation += 1
        generation = self._generation
        if not text:
            self.model.set_hits([])
            self._set_status("")
            return
        engine = self._engine
        self.loading = True
        self._set_status("Đang tìm…")

        def found(hits: list[SearchHit]) -> None:
            if generation != self._generation:
                return
            self.loading = False
            self.model.set_hits(hits)
            more = " (chỉ hiện những kết quả đầu tiên)" if len(hits) >= RESULT_LIMIT else ""
            self._set_status(f"{TITLE} “{text}”: {len(hits)} kết quả{more}")

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self.loading = False
            self.model.set_hits([])
            if isinstance(exc, ValidationError):
                self._set_status(str(exc))  # a too short or too long query: say it quietly
                return
            self._set_status("")
            show_failure(self, exc, "Không tìm được")

        BackgroundOp(self, lambda _p, _c: search(engine, text, limit=RESULT_LIMIT)).success(found).failure(
            failed
        ).run_in_background()
