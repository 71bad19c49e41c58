"""VisitForm: one row of the Sổ tiếp công dân, typed faster than on paper and never lost.

Entry points for the main window:

    form = VisitForm(engine, parent)                        # a new visit (Ctrl+N)
    form = VisitForm(engine, parent, record=load_visit(…))  # edit a stored visit
    form.saved.connect(on_saved)                            # SavedVisit, after the commit
    form.show()
    restore_pending_drafts(parent, engine)                  # at start-up: offer unsaved forms back

Keyboard: the fields follow the register's columns (date/time, citizen, case, first/repeat shown,
reception mode / session, persons and delegation, content, outcome, host, note). Enter and Tab go
to the next field (Enter in the content box starts a new line; Tab leaves it), Ctrl+S or
Ctrl+Enter saves, Esc closes (the draft is kept unless the clerk discards it). First/repeat is
computed by services.case_files as soon as the case and date are known.

Every database call runs through ui.background; saving never blocks the window. A failed save
shows its Vietnamese reason inside the form and keeps everything typed. The form's content is
written to a draft (services.drafts) a few seconds after each change, and once more just before
each save. The footer, the failure messages and the drafts come from ui.form_support.DeskForm.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, time
from typing import Any

from PySide6.QtCore import Qt, QTime, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from reception_desk.domain import visits as rules
from reception_desk.domain.enums import PetitionKind, ReceptionMode, VisitOutcome
from reception_desk.services.case_files import CaseHit, CaseInput, VisitStatus, find_cases, visit_status
from reception_desk.services.citizens import CitizenHit
from reception_desk.services.drafts import Draft, DraftStore
from reception_desk.services.errors import ValidationError
from reception_desk.services.sessions import SavedSession, sessions_between
from reception_desk.services.visits import (
    REFUSAL_GROUNDS,
    SavedVisit,
    VisitInput,
    VisitRecord,
    record_visit,
    update_visit,
)
from reception_desk.ui.background import BackgroundOp
from reception_desk.ui.citizen_picker import WARNING_STYLE, CitizenPicker
from reception_desk.ui.form_support import (
    DeskForm,
    enum_combo,
    from_qdate,
    restore_drafts,
    text_box,
    to_qdate,
)

log = logging.getLogger(__name__)

DRAFT_KIND = "visit"
STATUS_DEBOUNCE_MS = 120
CASE_SEARCH_DEBOUNCE_MS = 200
NEW_CASE = "new"
_FIRST_STYLE = "font-weight: bold; color: #1b5e20;"
_REPEAT_STYLE = "font-weight: bold; color: #8a5300;"


def pending_drafts(store: DraftStore | None = None) -> list[Draft]:
    """Visit forms left unsaved (a crash, a power cut, a closed window), newest first."""
    return (store or DraftStore()).load_all(DRAFT_KIND)


def restore_pending_drafts(parent: QWidget | None, engine: Engine, store: DraftStore | None = None) -> list[VisitForm]:
    """Ask once whether to reopen the unsaved visit forms; open them (or discard them)."""
    store = store or DraftStore()
    return restore_drafts(parent, store, pending_drafts(store),
                          lambda draft: VisitForm(engine, parent, draft=draft, store=store),
                          title="Nhập dở chưa lưu", what="lượt tiếp", untitled="Lượt tiếp chưa lưu")


def _hit_to_dict(hit: CitizenHit) -> dict[str, Any]:
    return {"id": str(hit.id), "version": hit.version, "full_name": hit.full_name, "id_number": hit.id_number,
            "id_type": hit.id_type, "phone": hit.phone, "address": hit.address, "birth_year": hit.birth_year}


def _hit_from_dict(data: dict[str, Any]) -> CitizenHit:
    return CitizenHit(id=uuid.UUID(data["id"]), version=int(data.get("version") or 1), full_name=data["full_name"],
                      id_number=data.get("id_number"), id_type=data.get("id_type"), phone=data.get("phone"),
                      address=data.get("address"), birth_year=data.get("birth_year"))


class VisitForm(DeskForm):
    """The visit form; see the module docstring. ``saved`` carries the SavedVisit."""

    def __init__(self, engine: Engine, parent: QWidget | None = None, *, record: VisitRecord | None = None,
                 draft: Draft | None = None, store: DraftStore | None = None, today: date | None = None) -> None:
        super().__init__(parent, noun="lượt tiếp", draft_kind=DRAFT_KIND,
                         draft_key=str(record.id) if record else f"new-{uuid.uuid4().hex[:12]}", store=store,
                         drafted_before_save=True)
        self._engine = engine
        self._today = today
        self._record = record
        self._visit_id: uuid.UUID | None = record.id if record else None
        self._seen_version: int | None = record.version if record else None
        self._visitor: CitizenHit | None = None
        self._members: list[CitizenHit] = []  # others named, in order
        self._status_generation = 0
        self._case_generation = 0
        self._session_generation = 0
        self._sessions: list[SavedSession] = []
        self._loading = True
        self.status: VisitStatus | None = None
        self.setWindowTitle("Sửa lượt tiếp" if record else "Lượt tiếp mới")
        self.setMinimumWidth(760)
        self._build()
        self._connect()
        if record is not None:
            self._fill_from_record(record)
        elif draft is not None:
            self._draft_key = draft.key
            self._fill_from_draft(draft.data)
        self._loading = False
        self._refresh_sessions()
        self._refresh_status()
        self._refresh_delegation()
        self._draft_timer.start()
        self.citizen.setFocus() if record is None else self.content.setFocus()

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        today = self._today or date.today()
        self.visit_date = QDateEdit(to_qdate(today), self)
        self.visit_date.setObjectName("visit_date")
        self.visit_date.setDisplayFormat("dd/MM/yyyy")
        self.visit_date.setCalendarPopup(True)
        self.visit_date.setMaximumDate(to_qdate(today))
        self.visit_time = QTimeEdit(QTime.currentTime(), self)
        self.visit_time.setObjectName("visit_time")
        self.visit_time.setDisplayFormat("HH:mm")
        when = QHBoxLayout()
        when.addWidget(self.visit_date)
        when.addWidget(QLabel("lúc"))
        when.addWidget(self.visit_time)
        when.addStretch(1)

        self.citizen = CitizenPicker(self, engine=self._engine)
        self.citizen.setObjectName("visit_citizen")
        self.citizen_info = QLabel(self)
        self.citizen_info.setObjectName("visit_citizen_info")
        self.citizen_info.setWordWrap(False)  # two short lines; wrapping made the row jump in height
        self.citizen_info.setStyleSheet("color: #444;")

        self.case_combo = QComboBox(self)
        self.case_combo.setObjectName("visit_case")
        self.case_combo.setAccessibleName("Vụ việc")
        self.case_combo.setMinimumContentsLength(40)
        self.case_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.case_search = QLineEdit(self)
        self.case_search.setObjectName("visit_case_search")
        self.case_search.setPlaceholderText("Tìm vụ việc khác theo tên…")
        self.case_search.setClearButtonEnabled(True)
        case_row = QHBoxLayout()
        case_row.addWidget(self.case_combo, 3)
        case_row.addWidget(self.case_search, 2)
        self.new_case_title = QLineEdit(self)
        self.new_case_title.setObjectName("visit_new_case_title")
        self.new_case_title.setPlaceholderText("Tên vụ việc mới (vd: Tranh chấp đất đai với hộ ông B, thôn 3)")
        self.new_case_kind = enum_combo(self, "visit_new_case_kind", PetitionKind)
        self.new_case_box = QWidget(self)
        new_case_row = QHBoxLayout(self.new_case_box)
        new_case_row.setContentsMargins(0, 0, 0, 0)
        new_case_row.addWidget(self.new_case_title, 3)
        new_case_row.addWidget(self.new_case_kind, 1)
        self.status_label = QLabel("—", self)
        self.status_label.setObjectName("visit_status")

        self.mode = enum_combo(self, "visit_mode", ReceptionMode)
        self.session = QComboBox(self)
        self.session.setObjectName("visit_session")
        self.session.addItem("(không thuộc buổi tiếp của lãnh đạo)", None)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode, 1)
        mode_row.addWidget(QLabel("Buổi tiếp:"))
        mode_row.addWidget(self.session, 2)

        self.persons = QSpinBox(self)
        self.persons.setObjectName("visit_persons")
        self.persons.setRange(1, 100_000)
        self.delegation_label = QLabel(self)
        self.delegation_label.setObjectName("visit_delegation")
        persons_row = QHBoxLayout()
        persons_row.addWidget(self.persons)
        persons_row.addWidget(self.delegation_label, 1)
        self.member_picker = CitizenPicker(self, engine=self._engine, keep_choice=False,
                                           placeholder="Thêm người cùng đến / thành viên đoàn (tìm như trên)…")
        self.member_picker.setObjectName("visit_member_picker")
        self.members = QListWidget(self)
        self.members.setObjectName("visit_members")
        self.members.setAccessibleName("Thành viên; đánh dấu người đại diện")
        self.members.setMaximumHeight(90)
        self.rep_warning = QLabel(self)
        self.rep_warning.setObjectName("visit_rep_warning")
        self.rep_warning.setWordWrap(True)
        self.rep_warning.setStyleSheet(WARNING_STYLE)

        self.content = text_box(self, "visit_content", "Nội dung vụ việc", "Nội dung công dân trình bày",
                                heights=(80, 140))

        self.outcome = enum_combo(self, "visit_outcome", VisitOutcome, none="— chọn kết quả —")
        self.ground = QComboBox(self)
        self.ground.setObjectName("visit_refusal_ground")
        self.ground.addItem("— căn cứ từ chối (Điều 9 Luật TCD) —", None)
        for code, label in REFUSAL_GROUNDS.items():
            self.ground.addItem(label.split(":")[0], code)
            self.ground.setItemData(self.ground.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        self.ground.setEnabled(False)
        outcome_row = QHBoxLayout()
        outcome_row.addWidget(self.outcome, 1)
        outcome_row.addWidget(self.ground, 1)

        self.host = QLineEdit(self)
        self.host.setObjectName("visit_host")
        self.host.setPlaceholderText("Cán bộ tiếp / lãnh đạo chủ trì")
        self.note = QLineEdit(self)
        self.note.setObjectName("visit_note")

        buttons = self._footer("visit")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        def label(text: str, buddy: QWidget) -> QLabel:
            # An explicit buddy: Alt+letter reaches the field even when the row holds a layout.
            widget = QLabel(text, self)
            widget.setBuddy(buddy)
            return widget

        form.addRow(label("&Ngày tiếp:", self.visit_date), when)
        form.addRow(label("&Công dân:", self.citizen.edit), self.citizen)
        form.addRow("", self.citizen_info)
        form.addRow(label("&Vụ việc:", self.case_combo), case_row)
        form.addRow("", self.new_case_box)
        form.addRow("Lần tiếp:", self.status_label)
        form.addRow(label("Chế độ &tiếp:", self.mode), mode_row)
        form.addRow(label("Số &người:", self.persons), persons_row)
        form.addRow(label("Thành &viên:", self.member_picker.edit), self.member_picker)
        form.addRow("", self.members)
        form.addRow("", self.rep_warning)
        form.addRow(label("Nội &dung:", self.content), self.content)
        form.addRow(label("&Kết quả tiếp:", self.outcome), outcome_row)
        form.addRow(label("Người t&iếp:", self.host), self.host)
        form.addRow(label("&Ghi chú:", self.note), self.note)
        self._form = form
        for widget in (self.citizen_info, self.new_case_box, self.members, self.rep_warning):
            form.setRowVisible(widget, False)  # hidden rows take no space until they have something
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addLayout(buttons)
        # The register's order, whatever the layout's.
        chain = [self.visit_date, self.visit_time, self.citizen.edit, self.case_combo, self.case_search,
                 self.new_case_title, self.new_case_kind, self.mode, self.session, self.persons,
                 self.member_picker.edit, self.members, self.content, self.outcome, self.ground, self.host,
                 self.note, self.save_button, self.close_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.citizen.citizenChosen.connect(self._visitor_chosen)
        self.member_picker.citizenChosen.connect(self._member_added)
        self.members.itemChanged.connect(lambda _item: self._changed_delegation())
        self.case_combo.currentIndexChanged.connect(self._case_changed)
        self.case_search.textEdited.connect(lambda _t: self._case_timer.start())
        self._case_timer = QTimer(self)
        self._case_timer.setSingleShot(True)
        self._case_timer.setInterval(CASE_SEARCH_DEBOUNCE_MS)
        self._case_timer.timeout.connect(self._search_cases)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(STATUS_DEBOUNCE_MS)
        self._status_timer.timeout.connect(self._load_status)
        self.visit_date.dateChanged.connect(lambda _d: (self._refresh_sessions(), self._refresh_status()))
        self.visit_time.timeChanged.connect(lambda _t: self._refresh_status())
        self.session.currentIndexChanged.connect(self._session_changed)
        self.persons.valueChanged.connect(lambda _v: self._changed_delegation())
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        for widget in (self.new_case_title, self.host, self.note):
            widget.textChanged.connect(self._touched)
        self.content.textChanged.connect(self._touched)
        for combo in (self.mode, self.ground, self.new_case_kind):
            combo.currentIndexChanged.connect(self._touched)

    # --- keyboard -----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        # Enter moves on like Tab (fields reached by Enter in register order); nothing saves by
        # accident: saving is Ctrl+S / Ctrl+Enter or the button.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            if self.focusWidget() is self.members:
                self._toggle_representative()
                return
            self.focusNextChild()
            return
        super().keyPressEvent(event)

    # --- citizen and members ------------------------------------------------------------------

    def _visitor_chosen(self, hit: CitizenHit | None) -> None:
        self._visitor = hit
        self._touched()
        self._show_citizen_info()
        self._changed_delegation()
        if hit is None:
            return
        self._load_citizen_cases(hit, focus=True)

    def _show_citizen_info(self) -> None:
        hit = self._visitor
        self._form.setRowVisible(self.citizen_info, hit is not None)
        if hit is None:
            self.citizen_info.setText("")
            return
        lines = [hit.summary()]
        if hit.cases:
            lines.append("Vụ việc trước: " + hit.cases_summary())
        if hit.refused_k3:
            lines.append("⚠ Người này đã từng bị từ chối tiếp theo khoản 3 Điều 9 (vụ việc đã giải quyết đúng).")
        self.citizen_info.setText("\n".join(lines))

    def _member_added(self, hit: CitizenHit | None) -> None:
        if hit is None:
            return
        known = {m.id for m in self._members} | ({self._visitor.id} if self._visitor else set())
        if hit.id in known:
            return
        self._members.append(hit)
        self._add_member_item(hit, representative=False)
        if self.persons.value() < 1 + len(self._members):
            self.persons.setValue(1 + len(self._members))
        self._changed_delegation()

    def _add_member_item(self, hit: CitizenHit, representative: bool) -> None:
        item = QListWidgetItem(hit.summary())
        item.setData(Qt.ItemDataRole.UserRole, str(hit.id))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if representative else Qt.CheckState.Unchecked)
        item.setToolTip("Đánh dấu (Space hoặc Enter) nếu là người đại diện của đoàn; Delete để bỏ khỏi danh sách.")
        self.members.addItem(item)
        self._form.setRowVisible(self.members, True)

    def _toggle_representative(self) -> None:
        item = self.members.currentItem()
        if item is not None:
            checked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _representatives(self) -> list[uuid.UUID]:
        reps = []
        for row in range(self.members.count()):
            item = self.members.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                reps.append(uuid.UUID(item.data(Qt.ItemDataRole.UserRole)))
        return reps

    def _changed_delegation(self) -> None:
        self._touched()
        self._refresh_delegation()

    def _refresh_delegation(self) -> None:
        persons = self.persons.value()
        if rules.is_delegation(persons):
            limit = rules.representative_limit(persons)
            self.delegation_label.setText(f"Đoàn đông người (từ {rules.DELEGATION_MIN_PERSONS} người) — "
                                          f"tối đa {limit} người đại diện")
        else:
            self.delegation_label.setText("Không phải đoàn đông người")
        warnings = rules.representative_warnings(persons, len(self._representatives()))
        named = (1 if self._visitor else 0) + len(self._members)
        if named > persons:
            warnings.append(f"Đã ghi {named} người nhưng số người là {persons}.")
        self.rep_warning.setText("\n".join(f"⚠ {w}" for w in warnings))
        self._form.setRowVisible(self.rep_warning, bool(warnings))

    # --- cases --------------------------------------------------------------------------------

    def _load_citizen_cases(self, hit: CitizenHit, focus: bool = False) -> None:
        self._case_generation += 1
        generation = self._case_generation
        engine = self._engine

        def found(cases: list[CaseHit]) -> None:
            if generation != self._case_generation:
                return
            self._set_cases(cases, keep=None)
            if focus:
                self.case_combo.setFocus()

        BackgroundOp(self, lambda _p, _c: find_cases(engine, None, citizen_id=hit.id)).success(found).failure(
            self._quiet_failure).run_in_background()

    def _search_cases(self) -> None:
        text = self.case_search.text().strip()
        if not text:
            if self._visitor is not None:
                self._load_citizen_cases(self._visitor)
            return
        self._case_generation += 1
        generation = self._case_generation
        engine = self._engine

        def found(cases: list[CaseHit]) -> None:
            if generation == self._case_generation:
                self._set_cases(cases, keep=self._current_case())

        def failed(exc: BaseException) -> None:
            if generation == self._case_generation and isinstance(exc, ValidationError):
                self.case_search.setToolTip(str(exc))
                return
            self._quiet_failure(exc)

        BackgroundOp(self, lambda _p, _c: find_cases(engine, text)).success(found).failure(failed).run_in_background()

    def _set_cases(self, cases: list[CaseHit], keep: CaseHit | None) -> None:
        """Fill the case list: ``keep`` (the current choice) stays first, then the found cases."""
        listed = ([keep] if keep is not None else []) + [c for c in cases if keep is None or c.id != keep.id]
        self.case_combo.blockSignals(True)
        self.case_combo.clear()
        for case in listed:
            self.case_combo.addItem(case.summary(), case)
        self.case_combo.addItem("+ Vụ việc mới…", NEW_CASE)
        self.case_combo.setCurrentIndex(0)
        self.case_combo.blockSignals(False)
        self._case_changed()

    def _current_case(self) -> CaseHit | None:
        value = self.case_combo.currentData()
        return value if isinstance(value, CaseHit) else None

    def _case_changed(self, *_args: object) -> None:
        new = self.case_combo.currentData() == NEW_CASE
        self._form.setRowVisible(self.new_case_box, new)
        self._touched()
        self._refresh_status()

    # --- sessions, mode, outcome ----------------------------------------------------------------

    def _refresh_sessions(self) -> None:
        day = from_qdate(self.visit_date.date())
        self._session_generation += 1
        generation = self._session_generation
        engine = self._engine
        wanted = self.session.currentData()

        def found(sessions: list[SavedSession]) -> None:
            if generation != self._session_generation:
                return
            self._sessions = sessions
            self.session.blockSignals(True)
            self.session.clear()
            self.session.addItem("(không thuộc buổi tiếp của lãnh đạo)", None)
            for s in sessions:
                self.session.addItem(f"{s.leader} — {s.mode_label}", str(s.id))
            index = self.session.findData(wanted) if wanted else 0
            self.session.setCurrentIndex(max(0, index))
            self.session.blockSignals(False)
            self._session_changed()

        BackgroundOp(self, lambda _p, _c: sessions_between(engine, day, day)).success(found).failure(
            self._quiet_failure).run_in_background()

    def _session_changed(self, *_args: object) -> None:
        chosen = self.session.currentData()
        session = next((s for s in self._sessions if str(s.id) == chosen), None)
        if session is not None:
            self.mode.setCurrentIndex(max(0, self.mode.findData(session.reception_mode)))
            if not self.host.text().strip():
                self.host.setText(session.leader)
        self.mode.setEnabled(session is None)  # a session decides the mode (reports count it apart)
        self._touched()

    def _outcome_changed(self, *_args: object) -> None:
        refused = self.outcome.currentData() == VisitOutcome.REFUSED.value
        self.ground.setEnabled(refused)
        if not refused:
            self.ground.setCurrentIndex(0)
        self._touched()

    # --- first / repeat -------------------------------------------------------------------------

    def _refresh_status(self) -> None:
        self._status_timer.start()

    def _load_status(self) -> None:
        case = self._current_case()
        self._status_generation += 1
        generation = self._status_generation
        if case is None:
            self.status = VisitStatus(True, 0, None) if self.case_combo.currentData() == NEW_CASE else None
            self._show_status()
            return
        engine = self._engine
        day = from_qdate(self.visit_date.date())
        at = self._time()
        exclude = self._visit_id

        def found(status: VisitStatus) -> None:
            if generation == self._status_generation:
                self.status = status
                self._show_status()

        BackgroundOp(self, lambda _p, _c: visit_status(engine, case.id, day, at, exclude)).success(found).failure(
            self._quiet_failure).run_in_background()

    def _show_status(self) -> None:
        status = self.status
        if status is None:
            self.status_label.setText("— (chọn vụ việc)")
            self.status_label.setStyleSheet("")
            return
        self.status_label.setText(status.label())
        self.status_label.setStyleSheet(_FIRST_STYLE if status.first_time else _REPEAT_STYLE)

    def _time(self) -> time:
        t = self.visit_time.time()
        return time(t.hour(), t.minute())

    # --- saving -------------------------------------------------------------------------------

    def visit_input(self) -> VisitInput:
        case = self._current_case()
        new_case = None
        if self.case_combo.currentData() == NEW_CASE:
            new_case = CaseInput(title=self.new_case_title.text(), kind=self.new_case_kind.currentData())
        citizens = ([self._visitor.id] if self._visitor else []) + [m.id for m in self._members]
        session = self.session.currentData()
        return VisitInput(
            visit_date=from_qdate(self.visit_date.date()), visit_time=self._time(),
            case_id=case.id if case else None, new_case=new_case, citizen_ids=citizens,
            representative_ids=self._representatives(), content=self.content.toPlainText(),
            outcome=self.outcome.currentData(), refusal_ground=self.ground.currentData(),
            reception_mode=self.mode.currentData(), session_id=uuid.UUID(session) if session else None,
            host=self.host.text(), persons=self.persons.value(), note=self.note.text(),
        )

    def save(self) -> None:
        """Save in the background; the form stays usable and keeps its content if it fails."""
        if self.saving:
            return
        data = self.visit_input()
        engine, today = self._engine, self._today
        visit_id, seen = self._visit_id, self._seen_version
        self._start_saving()
        draft, title = self.draft_data(), self.draft_title()
        self._draft_dirty = False

        def task(_p: object, _c: object) -> SavedVisit:
            self._save_draft(draft, title)  # whatever happens next, what was typed is on disk
            if visit_id is not None and seen is not None:
                return update_visit(engine, visit_id, seen, data, today=today)
            return record_visit(engine, data, today=today)

        BackgroundOp(self, task, writes=True).success(self._saved).failure(self._save_failed).run_in_background()

    def _saved(self, result: SavedVisit) -> None:
        self._finish_save(result, f"Đã lưu — {result.status.label()}")

    # --- drafts -------------------------------------------------------------------------------

    def draft_data(self) -> dict[str, Any]:
        case = self._current_case()
        t = self._time()
        return {
            "visit_id": str(self._visit_id) if self._visit_id else None, "seen_version": self._seen_version,
            "visit_date": from_qdate(self.visit_date.date()).isoformat(), "visit_time": t.strftime("%H:%M"),
            "visitor": _hit_to_dict(self._visitor) if self._visitor else None,
            "members": [_hit_to_dict(m) for m in self._members], "representatives": [str(r) for r in self._representatives()],
            "case": {"id": str(case.id), "version": case.version, "title": case.title, "kind": case.kind,
                     "status": case.status} if case else None,
            "new_case": self.case_combo.currentData() == NEW_CASE,
            "new_case_title": self.new_case_title.text(), "new_case_kind": self.new_case_kind.currentData(),
            "mode": self.mode.currentData(), "session_id": self.session.currentData(), "persons": self.persons.value(),
            "content": self.content.toPlainText(), "outcome": self.outcome.currentData(),
            "refusal_ground": self.ground.currentData(), "host": self.host.text(), "note": self.note.text(),
        }

    def draft_title(self) -> str:
        who = self._visitor.full_name if self._visitor else "chưa chọn công dân"
        return f"Lượt tiếp ngày {from_qdate(self.visit_date.date()):%d/%m/%Y} — {who}"

    def _fill_from_draft(self, data: dict[str, Any]) -> None:
        try:
            if data.get("visit_id"):
                self._visit_id = uuid.UUID(data["visit_id"])
                self._seen_version = int(data["seen_version"])
                self.setWindowTitle("Sửa lượt tiếp (bản nháp)")
            self.visit_date.setDate(to_qdate(date.fromisoformat(data["visit_date"])))
            self.visit_time.setTime(QTime.fromString(data.get("visit_time") or "00:00", "HH:mm"))
            if data.get("visitor"):
                self._visitor = _hit_from_dict(data["visitor"])
                self.citizen.set_chosen(self._visitor)
                self._show_citizen_info()
            reps = set(data.get("representatives") or [])
            for member in data.get("members") or []:
                hit = _hit_from_dict(member)
                self._members.append(hit)
                self._add_member_item(hit, str(hit.id) in reps)
            if data.get("case"):
                c = data["case"]
                self._set_cases([CaseHit(uuid.UUID(c["id"]), int(c["version"]), c["title"], c["kind"], c["status"])],
                                keep=None)
            elif data.get("new_case"):
                self._set_cases([], keep=None)
            self.new_case_title.setText(data.get("new_case_title") or "")
            self.new_case_kind.setCurrentIndex(max(0, self.new_case_kind.findData(data.get("new_case_kind"))))
            self.mode.setCurrentIndex(max(0, self.mode.findData(data.get("mode"))))
            if data.get("session_id"):
                self.session.addItem("(buổi tiếp đã chọn)", data["session_id"])
                self.session.setCurrentIndex(self.session.count() - 1)
            self.persons.setValue(int(data.get("persons") or 1))
            self.content.setPlainText(data.get("content") or "")
            self.outcome.setCurrentIndex(max(0, self.outcome.findData(data.get("outcome"))))
            self.ground.setCurrentIndex(max(0, self.ground.findData(data.get("refusal_ground"))))
            self.host.setText(data.get("host") or "")
            self.note.setText(data.get("note") or "")
        except (KeyError, TypeError, ValueError) as exc:
            # A draft from an older version, or edited by hand: keep what could be read.
            log.warning("Bản nháp lượt tiếp đọc không hết: %s", exc)
        self._draft_dirty = True  # the restored draft stays on disk until saved or discarded

    def _fill_from_record(self, record: VisitRecord) -> None:
        self.visit_date.setMaximumDate(max(self.visit_date.maximumDate(), to_qdate(record.visit_date)))
        self.visit_date.setDate(to_qdate(record.visit_date))
        if record.visit_time is not None:
            self.visit_time.setTime(QTime(record.visit_time.hour, record.visit_time.minute))
        people = list(record.citizens)
        reps = set(record.representative_ids)
        if people:
            self._visitor = people[0]
            self.citizen.set_chosen(people[0])
            self._show_citizen_info()
        for hit in people[1:]:
            self._members.append(hit)
            self._add_member_item(hit, hit.id in reps)
        self._set_cases([record.case], keep=None)
        self.mode.setCurrentIndex(max(0, self.mode.findData(record.reception_mode)))
        if record.session_id is not None:
            self.session.addItem("(buổi tiếp đã chọn)", str(record.session_id))
            self.session.setCurrentIndex(self.session.count() - 1)
        self.persons.setValue(record.persons)
        self.content.setPlainText(record.content or "")
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(record.outcome)))
        self.ground.setCurrentIndex(max(0, self.ground.findData(record.refusal_ground)))
        self.host.setText(record.host or "")
        self.note.setText(record.note or "")

    # --- closing ------------------------------------------------------------------------------

    def has_input(self) -> bool:
        return bool(self._visitor or self._members or self.content.toPlainText().strip()
                    or self.new_case_title.text().strip() or self.note.text().strip())

    def has_unsaved_input(self) -> bool:
        """Closing asks about a draft only for a new visit with something typed (an edit is stored already)."""
        return self._record is None and self.has_input()
