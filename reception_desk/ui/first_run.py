"""The welcome panel shown instead of empty lists while the database holds no records."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from reception_desk import APP_TITLE

INTRO = (
    "Chương trình giúp Ban Tiếp công dân ghi sổ tiếp công dân (tiếp thường xuyên, lãnh đạo tiếp "
    "định kỳ và đột xuất, đoàn đông người), tiếp nhận và phân loại đơn khiếu nại, tố cáo, kiến nghị, "
    "phản ánh, theo dõi chuyển đơn và hạn trả lời, và lập báo cáo thống kê theo kỳ."
)
HOW_TO_START = (
    "Cơ sở dữ liệu này chưa có hồ sơ nào. Bạn có thể ghi ngay lượt tiếp công dân đầu tiên (Ctrl+N), "
    "nhập dữ liệu từ một tệp trao đổi (.jsonl) do chương trình này hoặc đơn vị khác xuất ra, hoặc tạo "
    "một cơ quan mẫu với dữ liệu giả để làm quen."
)


class FirstRunPanel(QWidget):
    """ "Chào mừng…" with the two ways to get data in; the main window does the work."""

    import_requested = Signal()
    demo_requested = Signal()
    visit_requested = Signal()

    def __init__(self, database_description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Màn hình chào mừng")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(720)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(14)

        title = QLabel(f"Chào mừng đến với {APP_TITLE}")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setWordWrap(True)
        layout.addWidget(title)

        for text in (INTRO, HOW_TO_START):
            label = QLabel(text)
            label.setWordWrap(True)
            layout.addWidget(label)

        where = QLabel(f"Cơ sở dữ liệu: {database_description}")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setEnabled(False)  # greyed: information, not an action
        layout.addWidget(where)

        buttons = QHBoxLayout()
        self.visit_button = QPushButton("Tiếp &công dân…")
        self.visit_button.setAccessibleName("Tiếp công dân")
        self.visit_button.setToolTip("Ghi một lượt tiếp công dân (Ctrl+N)")
        self.visit_button.clicked.connect(self.visit_requested)
        buttons.addWidget(self.visit_button)
        self.import_button = QPushButton("&Nhập dữ liệu từ tệp…")
        self.import_button.setAccessibleName("Nhập dữ liệu từ tệp")
        self.import_button.setToolTip("Nhập hồ sơ từ một tệp trao đổi .jsonl")
        self.import_button.clicked.connect(self.import_requested)
        self.demo_button = QPushButton("&Tạo dữ liệu mẫu")
        self.demo_button.setAccessibleName("Tạo dữ liệu mẫu")
        self.demo_button.setToolTip("Tạo một cơ quan mẫu với dữ liệu giả để làm quen với chương trình")
        self.demo_button.clicked.connect(self.demo_requested)
        self.import_button.setDefault(True)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        row.addWidget(card, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
