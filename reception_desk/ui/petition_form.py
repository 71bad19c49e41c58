"""PetitionForm: register (or edit) a petition in one form, with duplicate suggestions as it is typed.

    form = PetitionForm(engine, parent)                          # a new petition
    form = PetitionForm(engine, parent, petition_id=some_id)     # edit one (loaded in the background)
    form.saved.connect(on_saved)                                 # SavedPetition, after the commit
    form.show()

Keyboard: the fields follow the paper ledger (received date, channel and the forwarding agency,
kind, signers, field, summary, attachments, handling). Enter and Tab go to the next field (Enter
in the summary starts a new line; Tab leaves it), Enter in the signer search picks the citizen,
Delete removes the selected signer or attachment, Ctrl+S or Ctrl+Enter saves, Esc closes.

While the clerk types the summary or picks signers, the "Có thể trùng" panel lists petitions of the
last months with the same signer or much the same content (services.petitions.suggest_duplicates,
debounced, on a background thread, stale answers dropped). One click marks the new petition as a
duplicate of the chosen one ("Đánh dấu trùng với đơn này", it then also joins that petition's
case) or links it to that petition's case only ("Liên kết vụ việc").

A denunciation says at once that the denouncer's identity is kept confidential. Every database call
runs through ui.background: saving never blocks the window; a failed save shows its Vietnamese
reason inside the form and keeps everything typed. The form is also written to a draft
(services.drafts) a few seconds after each change — signers by id only, so a denouncer's name is
not written to disk — and ``restore_pending_drafts(parent, engine)`` offers them back at start-up.
The footer, the failure messages and the drafts come from ui.form_support.DeskForm.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from reception_desk.domain.enums import Channel, HandlingDirection, PetitionKind
from reception_desk.services.case_files import get_case
from reception_desk.services.citizens import CitizenHit, get_citizen
from reception_desk.services.directory import AgencyRow, list_agencies
from reception_desk.services.drafts import Draft, DraftStore
from reception_desk.services.errors import UserError
from reception_desk.services.petitions import (
    MAX_ATTACHMENT_BYTES,
    AttachmentInfo,
    DuplicateHit,
    PetitionInput,
    PetitionView,
    SavedPetition,
    human_size,
    list_attachments,
    load_petition,
    register_petition,
    suggest_duplicates,
    update_petition,
)
from reception_desk.services.visibility import Viewer, desk_viewer
from reception_desk.ui import dialogs
from reception_desk.ui.background import BackgroundOp, show_failure
from reception_desk.ui.citizen_picker import CitizenPicker
from reception_desk.ui.form_support import (
    DeskForm,
    enum_combo,
    from_qdate,
    restore_drafts,
    text_box,
    to_qdate,
)

log = logging.getLogger(__name__)

SUGGEST_DEBOUNCE_MS = 350
DRAFT_KIND = "petition"
SUGGEST_LIMIT = 5
ATTACHMENT_FILTER = ("Bản quét, ảnh, văn bản (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.heic *.webp *.doc *.docx);;"
                     "Mọi tệp (*)")
# Fields as the office's reports group them (domain notes §3.4); the clerk may type another.
FIELDS = ["Đất đai", "Nhà ở, xây dựng", "Chính sách, chế độ", "Môi trường", "Tư pháp", "Tham nhũng, tiêu cực",
          "Hành chính", "Đảng, đoàn thể", "Khác"]
CONFIDENTIAL_NOTE = ("🔒 Đơn tố cáo: họ tên, địa chỉ, bút tích và mọi thông tin về người tố cáo được giữ bí mật "
                     "(Luật Tố cáo, Điều 9 và 56). Danh sách, tìm kiếm và báo cáo chỉ hiện “Người tố cáo (bảo mật)”.")
_ID_ROLE = Qt.ItemDataRole.UserRole
_HIT_ROLE = Qt.ItemDataRole.UserRole + 1


def hit_text(hit: DuplicateHit) -> str:
    """Two lines for the suggestion list: when, kind, who, state; then the summary."""
    why = "cùng người đứng đơn" if hit.same_signer else "nội dung giống"
    if hit.same_signer and hit.similarity >= 0.4:
        why = "cùng người đứng đơn, nội dung giống"
    head = (f"{hit.received_on:%d/%m/%Y} · {hit.kind_label} · {hit.signers} · {hit.state} "
            f"· {why} ({round(hit.similarity * 100)}%)")
    summary = " ".join(hit.summary.split())
    if len(summary) > 140:
        summary = summary[:139] + "…"
    return f"{head}\n    {summary}"


class PetitionForm(DeskForm):
    """The petition form; see the module docstring. ``saved`` carries the SavedPetition."""

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, petition_id: uuid.UUID | None = None,
                 viewer: Viewer | None = None, today: date | None = None, draft: Draft | None = None,
                 store: DraftStore | None = None) -> None:
        super().__init__(parent, noun="đơn", draft_kind=DRAFT_KIND,
                         draft_key=str(petition_id) if petition_id else f"new-{uuid.uuid4().hex[:12]}", store=store,
                         drafted_before_save=False)
        self._engine = engine
        self._viewer = viewer if viewer is not None else desk_viewer()
        self._today = today or date.today()
        self._petition_id = petition_id
        self._seen_version: int | None = None
        self._signers: list[CitizenHit] = []
        self._signers_masked = False
        self._existing: list[AttachmentInfo] = []
        self._removed: list[uuid.UUID] = []
        self._new_files: list[Path] = []
        self._case_id: uuid.UUID | None = None
        self._duplicate_text: str | None = None  # "dd/mm/yyyy (kind)" of the original, when known
        self._duplicate_of_id: uuid.UUID | None = None
        self._hits: list[DuplicateHit] = []
        self._suggest_generation = 0
        self._loading = petition_id is not None
        self.suggesting = False
        self.result: SavedPetition | None = None
        self.setWindowTitle("Sửa đơn" if petition_id else "Tiếp nhận đơn mới")
        self.setMinimumWidth(820)
        self._build()
        self._connect()
        self._channel_changed()
        self._kind_changed()
        self._refresh_signers()
        self._refresh_files()
        self._show_hits([], "Gõ nội dung hoặc chọn người đứng đơn để tìm đơn trùng.")
        self._dirty = False
        self._load_agencies()
        if draft is not None:
            self._draft_key = draft.key
            self._fill_from_draft(draft.data)
        elif petition_id is not None:
            self._load(petition_id)
        self._draft_timer.start()
        self.received_on.setFocus()

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.received_on = QDateEdit(to_qdate(self._today), self)
        self.received_on.setObjectName("petition_received_on")
        self.received_on.setDisplayFormat("dd/MM/yyyy")
        self.received_on.setCalendarPopup(True)
        self.received_on.setMaximumDate(to_qdate(self._today))

        self.channel = enum_combo(self, "petition_channel", Channel)
        self.source_agency = QComboBox(self)
        self.source_agency.setObjectName("petition_source_agency")
        self.source_agency.setAccessibleName("Cơ quan chuyển đơn đến")
        self.source_agency.addItem("— chọn cơ quan chuyển đến —", None)
        self.incoming_number = QLineEdit(self)
        self.incoming_number.setObjectName("petition_incoming_number")
        self.incoming_number.setPlaceholderText("Số công văn chuyển đến")
        self.source_box = QWidget(self)
        source_row = QHBoxLayout(self.source_box)
        source_row.setContentsMargins(0, 0, 0, 0)
        source_row.addWidget(self.source_agency, 3)
        source_row.addWidget(self.incoming_number, 2)

        self.kind = enum_combo(self, "petition_kind", PetitionKind)
        self.confidential_note = QLabel(CONFIDENTIAL_NOTE, self)
        self.confidential_note.setObjectName("petition_confidential_note")
        self.confidential_note.setWordWrap(True)
        self.confidential_note.setStyleSheet("color: #6a1b9a; background: #f3e5f5; padding: 4px;")

        self.signer_picker = CitizenPicker(self, engine=self._engine, keep_choice=False,
                                           placeholder="Người đứng đơn: gõ họ tên (không dấu cũng được), "
                                                       "số giấy tờ hoặc điện thoại…")
        self.signer_picker.setObjectName("petition_signer_picker")
        self.signer_list = QListWidget(self)
        self.signer_list.setObjectName("petition_signers")
        self.signer_list.setAccessibleName("Người đứng đơn (Delete để bỏ)")
        self.signer_list.setMaximumHeight(56)
        self.anonymous = QCheckBox("Đơn nặ&c danh (không có người đứng đơn)", self)
        self.anonymous.setObjectName("petition_anonymous")

        self.field = QComboBox(self)
        self.field.setObjectName("petition_field")
        self.field.setEditable(True)
        self.field.addItem("")
        self.field.addItems(FIELDS)
        self.field.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.field.lineEdit().setPlaceholderText("Lĩnh vực (chọn hoặc gõ)")

        self.summary = text_box(self, "petition_summary", "Tóm tắt nội dung đơn", "Tóm tắt nội dung đơn",
                                heights=(70, 110))

        self.suggest_box = QGroupBox("Có thể trùng", self)
        self.suggest_box.setObjectName("petition_suggestions_box")
        self.suggest_status = QLabel("Gõ nội dung hoặc chọn người đứng đơn để tìm đơn trùng.", self)
        self.suggest_status.setObjectName("petition_suggest_status")
        self.suggest_status.setStyleSheet("color: #555;")
        self.suggest_list = QListWidget(self)
        self.suggest_list.setObjectName("petition_suggestions")
        self.suggest_list.setAccessibleName("Đơn có thể trùng")
        self.suggest_list.setMinimumHeight(150)
        self.suggest_list.setMaximumHeight(220)
        self.suggest_list.setWordWrap(True)
        self.mark_button = QPushButton("Đánh &dấu trùng với đơn này", self)
        self.mark_button.setObjectName("petition_mark_duplicate")
        self.link_button = QPushButton("Liên &kết vụ việc", self)
        self.link_button.setObjectName("petition_link_case")
        self.mark_button.setEnabled(False)
        self.link_button.setEnabled(False)
        self.link_state = QLabel(self)
        self.link_state.setObjectName("petition_link_state")
        self.link_state.setWordWrap(True)
        self.link_state.setStyleSheet("color: #1b5e20;")
        self.unlink_button = QPushButton("Bỏ đánh dấu", self)
        self.unlink_button.setObjectName("petition_unlink")
        self.unlink_button.hide()
        self.link_state.hide()
        suggest_buttons = QHBoxLayout()
        suggest_buttons.addWidget(self.mark_button)
        suggest_buttons.addWidget(self.link_button)
        suggest_buttons.addStretch(1)
        link_row = QHBoxLayout()
        link_row.addWidget(self.link_state, 1)
        link_row.addWidget(self.unlink_button)
        suggest_layout = QVBoxLayout(self.suggest_box)
        suggest_layout.setContentsMargins(6, 4, 6, 4)
        suggest_layout.addWidget(self.suggest_status)
        suggest_layout.addWidget(self.suggest_list)
        suggest_layout.addLayout(suggest_buttons)
        suggest_layout.addLayout(link_row)

        self.attachment_list = QListWidget(self)
        self.attachment_list.setObjectName("petition_attachments")
        self.attachment_list.setAccessibleName("Tệp đính kèm (Delete để bỏ)")
        self.attachment_list.setMaximumHeight(60)
        self.add_file_button = QPushButton("Thêm tệ&p…", self)
        self.add_file_button.setObjectName("petition_add_file")
        self.remove_file_button = QPushButton("Bỏ tệp", self)
        self.remove_file_button.setObjectName("petition_remove_file")
        files_buttons = QVBoxLayout()
        files_buttons.addWidget(self.add_file_button)
        files_buttons.addWidget(self.remove_file_button)
        files_buttons.addStretch(1)
        files_row = QHBoxLayout()
        files_row.addWidget(self.attachment_list, 1, Qt.AlignmentFlag.AlignTop)
        files_row.addLayout(files_buttons)

        self.handling = enum_combo(self, "petition_handling", HandlingDirection, none="— chưa quyết định —")
        self.eligible = QComboBox(self)
        self.eligible.setObjectName("petition_eligible")
        self.eligible.addItem("(chưa xét điều kiện)", None)
        self.eligible.addItem("Đủ điều kiện xử lý", True)
        self.eligible.addItem("Không đủ điều kiện xử lý", False)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("petition_ineligible_reason")
        self.reason.setPlaceholderText("Lý do không đủ điều kiện (TT 05/2021 Điều 6)")
        self.reason.setEnabled(False)
        handling_row = QHBoxLayout()
        handling_row.addWidget(self.handling, 1)
        handling_row.addWidget(self.eligible, 1)
        handling_row.addWidget(self.reason, 2)

        buttons = self._footer("petition", self.mark_button, self.link_button, self.add_file_button,
                               self.remove_file_button, self.unlink_button)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Ngày nhận đơn:", self.received_on)
        form.addRow("Ng&uồn đơn:", self.channel)
        form.addRow("Cơ quan chuyển:", self.source_box)
        form.addRow("Lo&ại đơn:", self.kind)
        form.addRow("", self.confidential_note)
        form.addRow("Người đứn&g đơn:", self.signer_picker)
        form.addRow("", self.signer_list)
        form.addRow("", self.anonymous)
        form.addRow("Lĩnh &vực:", self.field)
        form.addRow("&Tóm tắt nội dung:", self.summary)
        form.addRow("", self.suggest_box)
        form.addRow("Tệp đính kèm:", files_row)
        handling_label = QLabel("&Hướng xử lý:", self)
        handling_label.setBuddy(self.handling)
        form.addRow(handling_label, handling_row)
        self._form = form
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addLayout(buttons)
        chain = [self.received_on, self.channel, self.source_agency, self.incoming_number, self.kind,
                 self.signer_picker.edit, self.signer_list, self.anonymous, self.field, self.summary,
                 self.suggest_list, self.mark_button, self.link_button, self.unlink_button, self.attachment_list,
                 self.add_file_button, self.remove_file_button, self.handling, self.eligible, self.reason,
                 self.save_button, self.close_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.channel.currentIndexChanged.connect(self._channel_changed)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.signer_picker.citizenChosen.connect(self._signer_added)
        self.anonymous.toggled.connect(self._anonymous_toggled)
        self.eligible.currentIndexChanged.connect(self._eligible_changed)
        self.summary.textChanged.connect(self._content_changed)
        self.received_on.dateChanged.connect(lambda _d: self._content_changed())
        self.suggest_list.currentRowChanged.connect(self._suggestion_selected)
        self.suggest_list.itemDoubleClicked.connect(lambda _item: self.mark_duplicate())
        self.mark_button.clicked.connect(self.mark_duplicate)
        self.link_button.clicked.connect(self.link_case)
        self.unlink_button.clicked.connect(self.clear_link)
        self.add_file_button.clicked.connect(self.choose_file)
        self.remove_file_button.clicked.connect(self.remove_selected_file)
        for widget in (self.incoming_number, self.reason):
            widget.textChanged.connect(self._touched)
        self.field.currentTextChanged.connect(self._touched)
        for combo in (self.source_agency, self.handling):
            combo.currentIndexChanged.connect(self._touched)
        self._suggest_timer = QTimer(self)
        self._suggest_timer.setSingleShot(True)
        self._suggest_timer.setInterval(SUGGEST_DEBOUNCE_MS)
        self._suggest_timer.timeout.connect(self._suggest)

    # --- keyboard -----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        # Enter moves on like Tab; nothing saves by accident (Ctrl+S / Ctrl+Enter or the button).
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            focus = self.focusWidget()
            if focus is self.suggest_list and self.suggest_list.currentRow() >= 0:
                self.mark_duplicate()
                return
            if isinstance(focus, QPushButton):
                focus.click()
                return
            self.focusNextChild()
            return
        if event.key() == Qt.Key.Key_Delete and plain:
            if self.focusWidget() is self.signer_list:
                self.remove_selected_signer()
                return
            if self.focusWidget() is self.attachment_list:
                self.remove_selected_file()
                return
        super().keyPressEvent(event)

    # --- reactions ----------------------------------------------------------------------------

    def _channel_changed(self, *_args: object) -> None:
        transferred = self.channel.currentData() == Channel.TRANSFERRED_IN.value
        self.source_box.setVisible(transferred)
        label = self._form.labelForField(self.source_box)
        if label is not None:
            label.setVisible(transferred)
        self._touched()

    def _kind_changed(self, *_args: object) -> None:
        self.confidential_note.setVisible(self.kind.currentData() == PetitionKind.DENUNCIATION.value)
        self._touched()

    def _eligible_changed(self, *_args: object) -> None:
        self.reason.setEnabled(self.eligible.currentData() is False)
        self._touched()

    def _anonymous_toggled(self, anonymous: bool) -> None:
        self.signer_picker.setEnabled(not anonymous and not self._signers_masked)
        if anonymous and self._signers:
            self._signers.clear()
            self._refresh_signers()
        self._content_changed()

    def _content_changed(self) -> None:
        self._touched()
        self._suggest_timer.start()

    # --- signers ------------------------------------------------------------------------------

    def _signer_added(self, hit: CitizenHit | None) -> None:
        if hit is None or any(s.id == hit.id for s in self._signers):
            return
        self._signers.append(hit)
        if self.anonymous.isChecked():
            self.anonymous.setChecked(False)
        self._refresh_signers()
        self._content_changed()

    def _refresh_signers(self) -> None:
        self.signer_list.clear()
        for hit in self._signers:
            item = QListWidgetItem(hit.summary())
            item.setData(_ID_ROLE, str(hit.id))
            self.signer_list.addItem(item)
        if self._signers_masked:
            self.signer_list.addItem("Người tố cáo (bảo mật) — không hiện với quyền của bạn; giữ nguyên khi lưu.")
        self.signer_list.setVisible(bool(self._signers) or self._signers_masked)

    def signer_ids(self) -> list[uuid.UUID]:
        return [s.id for s in self._signers]

    def remove_selected_signer(self) -> None:
        row = self.signer_list.currentRow()
        if 0 <= row < len(self._signers):
            del self._signers[row]
            self._refresh_signers()
            self._content_changed()

    # --- agencies -----------------------------------------------------------------------------

    def _load_agencies(self) -> None:
        engine = self._engine
        BackgroundOp(self, lambda _p, _c: list_agencies(engine)).success(self._agencies_loaded).failure(
            self._quiet_failure).run_in_background()

    def source_agency_id(self) -> uuid.UUID | None:
        value = self.source_agency.currentData()
        return uuid.UUID(value) if value else None

    def _agencies_loaded(self, agencies: list[AgencyRow]) -> None:
        chosen = self.source_agency.currentData()
        self.source_agency.blockSignals(True)
        for agency in agencies:
            index = self.source_agency.findData(str(agency.id))
            if index < 0:
                self.source_agency.addItem(agency.name, str(agency.id))
            else:  # chosen before the list came (a draft, a stored petition): its real name
                self.source_agency.setItemText(index, agency.name)
        if chosen is not None:
            self.source_agency.setCurrentIndex(max(0, self.source_agency.findData(chosen)))
        self.source_agency.blockSignals(False)

    # --- suggestions --------------------------------------------------------------------------

    def _suggest(self) -> None:
        self._suggest_generation += 1
        generation = self._suggest_generation
        text = self.summary.toPlainText()
        signers = self.signer_ids()
        if not text.strip() and not signers:
            self.suggesting = False
            self._show_hits([], "Gõ nội dung hoặc chọn người đứng đơn để tìm đơn trùng.")
            return
        engine, viewer, received = self._engine, self._viewer, from_qdate(self.received_on.date())
        exclude = self._petition_id
        self.suggesting = True

        def found(hits: list[DuplicateHit]) -> None:
            if generation != self._suggest_generation:
                return  # the clerk typed on meanwhile
            self.suggesting = False
            self._show_hits(hits, "" if hits else "Không thấy đơn nào có thể trùng trong thời gian gần đây.")

        def failed(exc: BaseException) -> None:
            if generation != self._suggest_generation:
                return
            self.suggesting = False
            if isinstance(exc, UserError | DBAPIError):
                self._show_hits([], "Chưa tìm được đơn trùng (không đọc được cơ sở dữ liệu); vẫn có thể lưu đơn.")
                return
            show_failure(self, exc, "Không tìm được đơn trùng")

        BackgroundOp(self, lambda _p, _c: suggest_duplicates(
            engine, signers, text, received, limit=SUGGEST_LIMIT, exclude_id=exclude, viewer=viewer,
        )).success(found).failure(failed).run_in_background()

    def _show_hits(self, hits: list[DuplicateHit], status: str) -> None:
        self._hits = hits
        self.suggest_list.clear()
        for hit in hits:
            item = QListWidgetItem(hit_text(hit))
            item.setData(_HIT_ROLE, str(hit.id))
            item.setToolTip(hit.summary)
            self.suggest_list.addItem(item)
        self.suggest_status.setText(status or f"{len(hits)} đơn có thể trùng — chọn một đơn rồi bấm nút bên dưới.")
        self.suggest_list.setVisible(bool(hits))
        if hits:
            self.suggest_list.setCurrentRow(0)
        self._suggestion_selected(self.suggest_list.currentRow())

    def suggestions(self) -> list[DuplicateHit]:
        return list(self._hits)

    def _selected_hit(self) -> DuplicateHit | None:
        row = self.suggest_list.currentRow()
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def _suggestion_selected(self, _row: int) -> None:
        hit = self._selected_hit()
        self.mark_button.setEnabled(hit is not None)
        self.link_button.setEnabled(hit is not None and hit.case_id is not None)

    def mark_duplicate(self) -> None:
        """Mark the petition being entered as a duplicate of the selected suggestion (and join its case)."""
        hit = self._selected_hit()
        if hit is None:
            return
        self._duplicate_of_id = hit.id
        self._duplicate_text = f"{hit.received_on:%d/%m/%Y} ({hit.kind_label})"
        if hit.case_id is not None:
            self._case_id = hit.case_id
        self._touched()
        self._show_link()

    def link_case(self) -> None:
        """Attach the petition being entered to the selected suggestion's case (vụ việc)."""
        hit = self._selected_hit()
        if hit is None or hit.case_id is None:
            return
        self._case_id = hit.case_id
        self._touched()
        self._show_link()

    def clear_link(self) -> None:
        self._duplicate_of_id = None
        self._duplicate_text = None
        self._case_id = None
        self._touched()
        self._show_link()

    def _show_link(self, case_title: str | None = None) -> None:
        parts = []
        if self._duplicate_of_id is not None and self._duplicate_text:
            parts.append(f"✔ Đơn trùng với đơn ngày {self._duplicate_text}.")
        elif self._duplicate_of_id is not None:
            parts.append("✔ Đã đánh dấu là đơn trùng.")
        if self._case_id is not None:
            parts.append(f"✔ Thuộc vụ việc: {case_title}." if case_title else "✔ Đã liên kết vụ việc.")
            if case_title is None:
                self._load_case_title(self._case_id)
        self.link_state.setText(" ".join(parts))
        self.link_state.setVisible(bool(parts))
        self.unlink_button.setVisible(bool(parts))

    def _load_case_title(self, case_id: uuid.UUID) -> None:
        engine = self._engine

        def shown(case: Any) -> None:
            if self._case_id == case_id:
                self._show_link(case.title)

        BackgroundOp(self, lambda _p, _c: get_case(engine, case_id)).success(shown).failure(
            self._quiet_failure).run_in_background()

    def case_id(self) -> uuid.UUID | None:
        return self._case_id

    def duplicate_of_id(self) -> uuid.UUID | None:
        return self._duplicate_of_id

    # --- attachments --------------------------------------------------------------------------

    def choose_file(self) -> None:
        path = dialogs.ask_open_file(self, "Chọn tệp đính kèm (bản quét, ảnh)", ATTACHMENT_FILTER)
        if path is not None:
            self.add_file(path)

    def add_file(self, path: Path) -> bool:
        """Add a file to attach on saving; a file too large or unreadable is refused here already."""
        try:
            size = os.stat(path).st_size
        except OSError:
            self._show_errors(f"Không đọc được tệp “{path.name}”.", [])
            return False
        if size > MAX_ATTACHMENT_BYTES:
            self._show_errors(f"Tệp “{path.name}” quá lớn ({human_size(size)}); mỗi tệp đính kèm tối đa "
                              f"{human_size(MAX_ATTACHMENT_BYTES)}.", [])
            return False
        self._new_files.append(Path(path))
        self.errors.hide()
        self._touched()
        self._refresh_files()
        return True

    def _refresh_files(self) -> None:
        self.attachment_list.clear()
        for info in self._existing:
            if info.id in self._removed:
                continue
            item = QListWidgetItem(f"{info.file_name} — {human_size(info.size)}")
            item.setData(_ID_ROLE, ("saved", str(info.id)))
            self.attachment_list.addItem(item)
        for n, path in enumerate(self._new_files):
            try:
                size = human_size(os.stat(path).st_size)
            except OSError:
                size = "không đọc được"
            item = QListWidgetItem(f"{path.name} — {size} (chưa lưu)")
            item.setData(_ID_ROLE, ("new", n))
            self.attachment_list.addItem(item)
        if self.attachment_list.count() == 0:
            self.attachment_list.addItem("(chưa có tệp — “Thêm tệp…” để đính kèm bản quét, ảnh)")
            self.attachment_list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)

    def attachment_texts(self) -> list[str]:
        return [self.attachment_list.item(i).text() for i in range(self.attachment_list.count())
                if self.attachment_list.item(i).data(_ID_ROLE) is not None]

    def remove_selected_file(self) -> None:
        item = self.attachment_list.currentItem()
        if item is None or item.data(_ID_ROLE) is None:
            return
        where, key = item.data(_ID_ROLE)
        if where == "saved":
            self._removed.append(uuid.UUID(key))
        else:
            del self._new_files[int(key)]
        self._touched()
        self._refresh_files()

    # --- loading an existing petition -----------------------------------------------------------

    def _load(self, petition_id: uuid.UUID) -> None:
        engine, viewer = self._engine, self._viewer
        self.save_button.setEnabled(False)
        self.save_state.setText("Đang mở đơn…")

        def failed(exc: BaseException) -> None:
            self._loading = False
            self.save_state.setText("")
            if isinstance(exc, UserError | DBAPIError):
                self._show_errors("Không mở được đơn: " + (str(exc) if isinstance(exc, UserError) else
                                                           "không đọc được cơ sở dữ liệu."), [])
                return
            show_failure(self, exc, "Không mở được đơn")

        BackgroundOp(self, lambda _p, _c: load_petition(engine, petition_id, viewer)).success(self.fill).failure(
            failed).run_in_background()

    def fill(self, view: PetitionView) -> None:
        """Show a stored petition for editing."""
        self._loading = True
        self._petition_id = view.id
        self._seen_version = view.version
        self.received_on.setMaximumDate(to_qdate(max(self._today, view.received_on)))
        self.received_on.setDate(to_qdate(view.received_on))
        self._select(self.channel, view.channel)
        agency = str(view.source_agency_id) if view.source_agency_id is not None else None
        if agency is not None and self.source_agency.findData(agency) < 0:
            self.source_agency.addItem(view.source_agency_name or "(cơ quan)", agency)
        self._select(self.source_agency, agency)
        self.incoming_number.setText(view.incoming_number or "")
        self._select(self.kind, view.kind)
        self._signers_masked = view.signers_masked
        self._signers = [] if view.signers_masked else [
            CitizenHit(id=s.citizen_id, version=1, full_name=s.full_name, id_number=s.id_number, address=s.address)
            for s in view.signers if s.citizen_id is not None]
        self.anonymous.setChecked(view.anonymous)
        self.signer_picker.setEnabled(not view.anonymous and not view.signers_masked)
        self._refresh_signers()
        self.field.setCurrentText(view.field or "")
        self.summary.setPlainText(view.summary or "")
        self._select(self.handling, view.handling)
        self._select(self.eligible, view.eligible)
        self.reason.setText(view.ineligible_reason or "")
        self._existing = list(view.attachments)
        self._refresh_files()
        self._case_id = view.case_id
        self._duplicate_of_id = view.duplicate_of_id
        self._show_link(view.case_title)
        self._loading = False
        self._dirty = False
        self.save_button.setEnabled(True)
        self.save_state.setText(f"Phiên bản {view.version}")
        self.summary.setFocus()

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index < 0 and value is not None:
            combo.addItem(str(value), value)  # an unknown code from an imported file: shown, kept
            index = combo.count() - 1
        combo.setCurrentIndex(max(0, index))

    # --- saving -------------------------------------------------------------------------------

    def petition_input(self) -> PetitionInput:
        transferred = self.channel.currentData() == Channel.TRANSFERRED_IN.value
        return PetitionInput(
            received_on=from_qdate(self.received_on.date()),
            channel=self.channel.currentData(),
            kind=self.kind.currentData(),
            signer_ids=None if self._signers_masked else self.signer_ids(),
            anonymous=self.anonymous.isChecked(),
            field=self.field.currentText() or None,
            summary=self.summary.toPlainText(),
            handling=self.handling.currentData(),
            eligible=self.eligible.currentData(),
            ineligible_reason=self.reason.text() if self.eligible.currentData() is False else None,
            incoming_number=self.incoming_number.text() if transferred else None,
            source_agency_id=self.source_agency_id() if transferred else None,
            case_id=self._case_id,
            duplicate_of_id=self._duplicate_of_id,
            attachments=list(self._new_files),
            remove_attachment_ids=list(self._removed),
        )

    def save(self) -> None:
        if self.saving or self._loading:
            return
        engine, data = self._engine, self.petition_input()
        petition_id, seen = self._petition_id, self._seen_version
        today = self._today
        self._start_saving()

        def task(_progress: Any, _cancel: Any) -> SavedPetition:
            if petition_id is None or seen is None:
                return register_petition(engine, data, today=today)
            return update_petition(engine, petition_id, seen, data, today=today)

        BackgroundOp(self, task, writes=True).success(self._saved).failure(self._save_failed).run_in_background()

    def _saved(self, result: SavedPetition) -> None:
        self._finish_save(result)

    # --- drafts -------------------------------------------------------------------------------

    def draft_data(self) -> dict[str, Any]:
        """The form as plain JSON. Signers by id only: a denouncer's name is not written to disk."""
        return {
            "petition_id": str(self._petition_id) if self._petition_id else None,
            "seen_version": self._seen_version,
            "received_on": from_qdate(self.received_on.date()).isoformat(),
            "channel": self.channel.currentData(), "kind": self.kind.currentData(),
            "source_agency_id": self.source_agency.currentData(), "incoming_number": self.incoming_number.text(),
            "signer_ids": [str(s.id) for s in self._signers], "signers_masked": self._signers_masked,
            "anonymous": self.anonymous.isChecked(), "field": self.field.currentText(),
            "summary": self.summary.toPlainText(), "handling": self.handling.currentData(),
            "eligible": self.eligible.currentData(), "reason": self.reason.text(),
            "new_files": [str(p) for p in self._new_files], "removed": [str(r) for r in self._removed],
            "case_id": str(self._case_id) if self._case_id else None,
            "duplicate_of_id": str(self._duplicate_of_id) if self._duplicate_of_id else None,
            "duplicate_of_text": self._duplicate_text,
        }

    def draft_title(self) -> str:
        kind = self.kind.currentText().lower()
        summary = " ".join(self.summary.toPlainText().split())
        short = summary if len(summary) <= 50 else summary[:49] + "…"
        return f"Đơn {kind} nhận ngày {from_qdate(self.received_on.date()):%d/%m/%Y}" + (f": {short}" if short else "")

    def _draft_ready(self) -> bool:
        return not self._loading and not self.saving  # a save under way settles the draft itself

    def _fill_from_draft(self, data: dict[str, Any]) -> None:
        """Show a draft again; the signers are looked up by id (in the background)."""
        self._loading = True
        try:
            if data.get("petition_id"):
                self._petition_id = uuid.UUID(data["petition_id"])
                self._seen_version = int(data["seen_version"])
                self.setWindowTitle("Sửa đơn (bản nháp)")
                self._load_saved_attachments(self._petition_id)
            else:
                self.setWindowTitle("Tiếp nhận đơn mới (bản nháp)")
            received = date.fromisoformat(data["received_on"])
            self.received_on.setMaximumDate(to_qdate(max(self._today, received)))
            self.received_on.setDate(to_qdate(received))
            self._select(self.channel, data.get("channel"))
            if data.get("source_agency_id") and self.source_agency.findData(data["source_agency_id"]) < 0:
                self.source_agency.addItem("(cơ quan đã chọn)", data["source_agency_id"])
            self._select(self.source_agency, data.get("source_agency_id"))
            self.incoming_number.setText(data.get("incoming_number") or "")
            self._select(self.kind, data.get("kind"))
            self._signers_masked = bool(data.get("signers_masked"))
            self.anonymous.setChecked(bool(data.get("anonymous")))
            self.signer_picker.setEnabled(not self.anonymous.isChecked() and not self._signers_masked)
            self._refresh_signers()
            self.field.setCurrentText(data.get("field") or "")
            self.summary.setPlainText(data.get("summary") or "")
            self._select(self.handling, data.get("handling"))
            self._select(self.eligible, data.get("eligible"))
            self.reason.setText(data.get("reason") or "")
            self._new_files = [Path(p) for p in data.get("new_files") or []]
            self._removed = [uuid.UUID(r) for r in data.get("removed") or []]
            self._refresh_files()
            self._case_id = uuid.UUID(data["case_id"]) if data.get("case_id") else None
            self._duplicate_of_id = uuid.UUID(data["duplicate_of_id"]) if data.get("duplicate_of_id") else None
            self._duplicate_text = data.get("duplicate_of_text")
            self._show_link()
            signer_ids = [uuid.UUID(i) for i in data.get("signer_ids") or []]
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("Bản nháp đơn không đọc được hết: %s", exc)
            self._show_errors("Bản nháp không đọc được hết; hãy kiểm tra lại các ô.", [])
            signer_ids = []
        finally:
            self._loading = False
        self._dirty = True  # restored, not saved yet
        if signer_ids:
            self._load_signers(signer_ids)
        self._suggest_timer.start()

    def _load_signers(self, ids: list[uuid.UUID]) -> None:
        engine = self._engine

        def task(_p: Any, _c: Any) -> tuple[list[CitizenHit], int]:
            found, missing = [], 0
            for citizen_id in ids:
                try:
                    found.append(get_citizen(engine, citizen_id))
                except UserError:
                    missing += 1  # deleted meanwhile
            return found, missing

        def loaded(result: tuple[list[CitizenHit], int]) -> None:
            hits, missing = result
            for hit in hits:
                if not any(s.id == hit.id for s in self._signers):
                    self._signers.append(hit)
            self._refresh_signers()
            if missing:
                self._show_errors(f"{missing} người đứng đơn trong bản nháp không còn trong danh sách công dân.", [])
            self._suggest_timer.start()

        BackgroundOp(self, task).success(loaded).failure(self._quiet_failure).run_in_background()

    def _load_saved_attachments(self, petition_id: uuid.UUID) -> None:
        engine, viewer = self._engine, self._viewer

        def loaded(infos: list[AttachmentInfo]) -> None:
            self._existing = infos
            self._refresh_files()

        BackgroundOp(self, lambda _p, _c: list_attachments(engine, petition_id, viewer)).success(loaded).failure(
            self._quiet_failure).run_in_background()

    # --- closing ------------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        return self._dirty

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.saving and self._dirty:
            # The window goes away (its X, the program closing): keep the draft without asking. The
            # reject() that QDialog's closeEvent then calls leaves a kept draft alone.
            self._keep_draft()
            self._dirty = False
        super().closeEvent(event)


def pending_drafts(store: DraftStore | None = None) -> list[Draft]:
    """Petition forms left unsaved (a crash, a power cut, a closed window), newest first."""
    return (store or DraftStore()).load_all(DRAFT_KIND)


def restore_pending_drafts(parent: QWidget | None, engine: Engine, store: DraftStore | None = None,
                           viewer: Viewer | None = None) -> list[PetitionForm]:
    """Ask once whether to reopen the unsaved petition forms; open them (or discard them)."""
    store = store or DraftStore()
    return restore_drafts(parent, store, pending_drafts(store),
                          lambda draft: PetitionForm(engine, parent, draft=draft, store=store, viewer=viewer),
                          title="Đơn nhập dở chưa lưu", what="đơn", untitled="Đơn chưa lưu")
