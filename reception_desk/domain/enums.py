"""Enumerations of the domain, with their Vietnamese labels.

Values are the interchange-format codes (English, stable); labels are what users read.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    @property
    def label(self) -> str:
        # StrEnum members equal their values, so "other" of Channel, AgencyLevel and IdType is one
        # key of LABELS (the last label wins there): those are looked up by class first.
        return _CLASS_LABELS.get((type(self), self.value)) or LABELS[self]

    @classmethod
    def parse(cls, value: str) -> LabelledEnum:
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"giá trị không hợp lệ “{value}” (cho phép: {allowed})") from None


class PetitionKind(LabelledEnum):
    COMPLAINT = "complaint"
    DENUNCIATION = "denunciation"
    RECOMMENDATION = "recommendation"
    FEEDBACK = "feedback"


class ReportKind(LabelledEnum):
    """Kinds as the statistics group them: recommendation and feedback together."""

    COMPLAINT = "complaint"
    DENUNCIATION = "denunciation"
    RECOMMENDATION_FEEDBACK = "recommendation_feedback"


def report_kind(kind: PetitionKind | str) -> ReportKind:
    kind = PetitionKind(kind)
    if kind is PetitionKind.COMPLAINT:
        return ReportKind.COMPLAINT
    if kind is PetitionKind.DENUNCIATION:
        return ReportKind.DENUNCIATION
    return ReportKind.RECOMMENDATION_FEEDBACK


class ReceptionMode(LabelledEnum):
    REGULAR = "regular"
    LEADER_SCHEDULED = "leader_scheduled"
    LEADER_ADHOC = "leader_adhoc"
    AUTHORISED_DEPUTY = "authorised_deputy"

    @property
    def is_leader(self) -> bool:
        return self is not ReceptionMode.REGULAR


LEADER_MODES = (
    ReceptionMode.LEADER_SCHEDULED,
    ReceptionMode.LEADER_ADHOC,
    ReceptionMode.AUTHORISED_DEPUTY,
)


class Channel(LabelledEnum):
    IN_PERSON = "in_person"
    POST = "post"
    ZALO = "zalo"
    PORTAL = "portal"
    HOTLINE = "hotline"
    EMAIL = "email"
    FIELD_APP = "field_app"
    TRANSFERRED_IN = "transferred_in"
    OTHER = "other"


class HandlingDirection(LabelledEnum):
    """Hướng xử lý đơn (TT 05/2021)."""

    ACCEPT = "accept"
    TRANSFER = "transfer"
    GUIDE = "guide"
    ARCHIVE = "archive"


class VisitOutcome(LabelledEnum):
    """Kết quả tiếp (TT 04/2021): what happened at the desk."""

    GUIDED = "guided"
    RECEIVED_PETITION = "received_petition"
    TRANSFERRED = "transferred"
    REFUSED = "refused"


class CaseStatus(LabelledEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class SessionKind(LabelledEnum):
    SCHEDULED = "scheduled"
    ADHOC = "adhoc"


class AgencyLevel(LabelledEnum):
    CENTRAL = "central"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    OTHER = "other"


class IdType(LabelledEnum):
    CCCD = "cccd"
    CMND = "cmnd"
    PASSPORT = "passport"
    OTHER = "other"


class DayType(LabelledEnum):
    WORKING = "working"
    CALENDAR = "calendar"


LABELS: dict[StrEnum, str] = {
    PetitionKind.COMPLAINT: "Khiếu nại",
    PetitionKind.DENUNCIATION: "Tố cáo",
    PetitionKind.RECOMMENDATION: "Kiến nghị",
    PetitionKind.FEEDBACK: "Phản ánh",
    ReportKind.COMPLAINT: "Khiếu nại",
    ReportKind.DENUNCIATION: "Tố cáo",
    ReportKind.RECOMMENDATION_FEEDBACK: "Kiến nghị, phản ánh",
    ReceptionMode.REGULAR: "Tiếp thường xuyên",
    ReceptionMode.LEADER_SCHEDULED: "Lãnh đạo tiếp định kỳ",
    ReceptionMode.LEADER_ADHOC: "Lãnh đạo tiếp đột xuất",
    ReceptionMode.AUTHORISED_DEPUTY: "Ủy quyền tiếp",
    Channel.IN_PERSON: "Trực tiếp",
    Channel.POST: "Bưu chính",
    Channel.ZALO: "Zalo",
    Channel.PORTAL: "Cổng dịch vụ công",
    Channel.HOTLINE: "Đường dây nóng",
    Channel.EMAIL: "Thư điện tử",
    Channel.FIELD_APP: "Ứng dụng phản ánh hiện trường",
    Channel.TRANSFERRED_IN: "Cơ quan khác chuyển đến",
    Channel.OTHER: "Khác",
    HandlingDirection.ACCEPT: "Thụ lý",
    HandlingDirection.TRANSFER: "Chuyển đơn",
    HandlingDirection.GUIDE: "Hướng dẫn",
    HandlingDirection.ARCHIVE: "Lưu đơn",
    VisitOutcome.GUIDED: "Hướng dẫn",
    VisitOutcome.RECEIVED_PETITION: "Tiếp nhận đơn",
    VisitOutcome.TRANSFERRED: "Chuyển đơn",
    VisitOutcome.REFUSED: "Từ chối tiếp",
    CaseStatus.OPEN: "Mới",
    CaseStatus.IN_PROGRESS: "Đang xử lý",
    CaseStatus.RESOLVED: "Đã giải quyết",
    CaseStatus.CLOSED: "Đã kết thúc",
    SessionKind.SCHEDULED: "Định kỳ",
    SessionKind.ADHOC: "Đột xuất",
    AgencyLevel.CENTRAL: "Trung ương",
    AgencyLevel.PROVINCE: "Cấp tỉnh",
    AgencyLevel.DISTRICT: "Cấp huyện (trước 01/7/2025)",
    AgencyLevel.COMMUNE: "Cấp xã",
    AgencyLevel.OTHER: "Khác",
    IdType.CCCD: "Căn cước / CCCD",
    IdType.CMND: "CMND",
    IdType.PASSPORT: "Hộ chiếu",
    IdType.OTHER: "Giấy tờ khác",
    DayType.WORKING: "ngày làm việc",
    DayType.CALENDAR: "ngày",
}

_CLASS_LABELS: dict[tuple[type, str], str] = {
    (Channel, "other"): "Khác",
    (AgencyLevel, "other"): "Khác",
    (IdType, "other"): "Giấy tờ khác",
}
