"""The read-only record table every list of the program uses (registers, queues, drill-downs)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


def record_table(
    parent: QWidget,
    model: QAbstractItemModel,
    name: str,
    accessible: str,
    widths: Sequence[int],
    *,
    selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
    alternating: bool = True,
    row_numbers: bool = False,
    fit_titles: bool = False,
    row_padding: int = 10,
) -> QTableView:
    """A table of whole rows, read-only, one line per row.

    ``widths``: each column's width in average characters; with ``fit_titles`` a column is never
    narrower than its title (a cut header is unreadable). ``row_numbers`` keeps the row header.
    Rows have a fixed height: the view never measures rows it has not shown, which keeps lazy
    models of a million rows fast.
    """
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(alternating)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.verticalHeader().setVisible(row_numbers)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + row_padding)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    char = view.fontMetrics().averageCharWidth()
    metrics = header.fontMetrics()
    for column, width in enumerate(widths):
        size = width * char + 16
        if fit_titles:
            title = str(model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
            size = max(size, metrics.horizontalAdvance(title) + 24)
        header.resizeSection(column, size)
    return view
