"""Lazy table models over services.listing: the visits, petitions and transfers lists.

A model holds only the rows fetched so far. The first page is requested on ``reload()``; Qt's
view asks for more through canFetchMore/fetchMore when the user scrolls to the bottom. Every page
is read on a worker thread through ui.background, so a slow search never freezes the window; a
reply that belongs to an older query or reload (``_generation``) is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from sqlalchemy import Engine

from reception_desk.services import listing
from reception_desk.services.listing import Cursor, ListKind, Page
from reception_desk.ui.background import BackgroundOp, show_failure

# Overdue transfers: a pale red background with dark text reads in light and dark palettes alike,
# and the "Ngày trả lời" cell also says "Quá hạn" so colour is not the only signal.
OVERDUE_BACKGROUND = QColor("#f8d7da")
OVERDUE_FOREGROUND = QColor("#721c24")
OVERDUE_TEXT = "Quá hạn"

_ELLIPSIS_AT = 160


def format_date(value: date | None) -> str:
    """dd/mm/yyyy, the way Vietnamese forms write dates."""
    return value.strftime("%d/%m/%Y") if value else ""


def one_line(text: str | None) -> str:
    """The first line of a long text, shortened for a table cell (the tooltip shows all of it)."""
    if not text:
        return ""
    line = text.strip().split("\n", 1)[0]
    if len(line) > _ELLIPSIS_AT or "\n" in text.strip():
        return line[:_ELLIPSIS_AT].rstrip() + "…"
    return line


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    text: Callable[[Any], str]
    numeric: bool = False
    full_text: Callable[[Any], str | None] | None = None  # shown as the tooltip when set


VISIT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Ngày", lambda r: format_date(r.visit_date)),
    ColumnSpec("Chế độ tiếp", lambda r: r.mode_label),
    ColumnSpec("Người chủ trì", lambda r: r.host or ""),
    ColumnSpec("Vụ việc", lambda r: one_line(r.case_title), full_text=lambda r: r.case_title),
    ColumnSpec("Số người", lambda r: str(r.persons), numeric=True),
    ColumnSpec("Đoàn đông người", lambda r: "Có" if r.is_delegation else ""),
    ColumnSpec("Lần đầu/Nhiều lần", lambda r: "Lần đầu" if r.first_time else "Nhiều lần"),
    ColumnSpec("Nội dung", lambda r: one_line(r.content), full_text=lambda r: r.content),
)

PETITION_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Ngày nhận", lambda r: format_date(r.received_on)),
    ColumnSpec("Nguồn", lambda r: r.channel_label),
    ColumnSpec("Loại đơn", lambda r: r.kind_label),
    ColumnSpec("Người đứng đơn", lambda r: r.signers),
    ColumnSpec("Nội dung tóm tắt", lambda r: one_line(r.summary), full_text=lambda r: r.summary),
    ColumnSpec("Hướng xử lý", lambda r: r.handling_label),
)

TRANSFER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Ngày chuyển", lambda r: format_date(r.sent_on)),
    ColumnSpec("Số văn bản", lambda r: r.number or ""),
    ColumnSpec("Cơ quan nhận", lambda r: r.agency_name or ""),
    ColumnSpec("Hạn trả lời", lambda r: format_date(r.due_on)),
    ColumnSpec("Ngày trả lời", lambda r: OVERDUE_TEXT if r.overdue else format_date(r.answered_on)),
    ColumnSpec("Kết quả", lambda r: one_line(r.result), full_text=lambda r: r.result),
)

COLUMNS: dict[ListKind, tuple[ColumnSpec, ...]] = {
    "visits": VISIT_COLUMNS,
    "petitions": PETITION_COLUMNS,
    "transfers": TRANSFER_COLUMNS,
}

TITLES: dict[ListKind, str] = {"visits": "Lượt tiếp", "petitions": "Đơn thư", "transfers": "Chuyển đơn"}

_Index = QModelIndex | QPersistentModelIndex


class PagedTableModel(QAbstractTableModel):
    """Rows read page by page (keyset paging) on a worker thread as the user scrolls.

    A subclass gives the columns (anything with a ``header``) and ``_page_reader``: for the cursor
    of the next page, a function run in the background that returns an object with ``rows`` and
    ``next`` (None after the last page), reading the filters as they are when the page is asked.
    """

    page_loaded = Signal(int)  # the number of rows held after the page arrived
    loading_changed = Signal(bool)

    # Declared, not defined: each list reads its own pages (services.listing, services.queues).
    _page_reader: Callable[[Any], Callable[[], Any]]

    def __init__(self, engine: Engine, columns: Sequence[Any], parent: QObject | None = None, *,
                 page_size: int) -> None:
        super().__init__(parent)
        self._engine = engine
        self._columns = columns
        self._page_size = page_size
        self._rows: list[Any] = []
        self._next: Any = None
        self._exhausted = False
        self._loading = False
        self._generation = 0

    # --- Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return self._columns[section].header
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index) -> None:
        if parent.isValid() or self._exhausted or self._loading:
            return
        self._request()

    # --- list interface ---------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def exhausted(self) -> bool:
        """True when every row of the list has been fetched."""
        return self._exhausted

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def reload(self) -> None:
        """Forget the rows and fetch the first page again (after a change or a new filter)."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._next = None
        self._exhausted = False
        self.endResetModel()
        self._set_loading(False)
        self._request()

    # --- loading ----------------------------------------------------------------------------

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _request(self) -> None:
        generation, read = self._generation, self._page_reader(self._next)
        self._set_loading(True)
        (
            BackgroundOp(self, lambda _progress, _cancel: read(), error_title="Không đọc được danh sách")
            .success(lambda page: self._page_arrived(generation, page))
            .failure(lambda exc: self._page_failed(generation, exc))
            .run_in_background()
        )

    def _page_arrived(self, generation: int, page: Any) -> None:
        if generation != self._generation:
            return  # an answer to an older filter or reload
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self._next = page.next
        self._exhausted = page.next is None
        self._set_loading(False)
        self.page_loaded.emit(len(self._rows))

    def _page_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._exhausted = True  # do not retry in a loop; F5 reloads
        self._set_loading(False)
        show_failure(self, exc, "Không đọc được danh sách")


class LazyListModel(PagedTableModel):
    """One list (visits, petitions or transfers) of services.listing."""

    def __init__(
        self,
        engine: Engine,
        kind: ListKind,
        parent: QObject | None = None,
        *,
        page_size: int = listing.PAGE_SIZE,
        today: date | None = None,
    ) -> None:
        super().__init__(engine, COLUMNS[kind], parent, page_size=page_size)
        self.kind = kind
        self._today = today
        self._query = ""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if getattr(row, "overdue", False):
                return "Đã quá hạn trả lời mà chưa có văn bản trả lời"
            return column.full_text(row) if column.full_text else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if getattr(row, "overdue", False):
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(OVERDUE_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(OVERDUE_FOREGROUND)
        return None

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, text: str) -> None:
        text = text.strip()
        if text != self._query:
            self._query = text
            self.reload()

    def _page_reader(self, after: Cursor | None) -> Callable[[], Page]:
        engine, kind, query, limit, today = self._engine, self.kind, self._query, self._page_size, self._today
        return lambda: listing.fetch_page(engine, kind, after=after, query=query, limit=limit, today=today)
