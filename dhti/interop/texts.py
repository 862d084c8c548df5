"""Labels that the exported forms add to a questionnaire's own texts, in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dhti.questionnaire import pick

LABELS: MappingProxyType[str, dict[str, str]] = MappingProxyType(
    {
        "entity": {"en": "About the facility or agency", "vi": "Thông tin về cơ sở hoặc cơ quan"},
        "assessment": {"en": "About this assessment", "vi": "Thông tin về lần đánh giá"},
        "entity.id": {
            "en": "Code of the facility or agency (e.g. 01-BV-0001)",
            "vi": "Mã cơ sở hoặc cơ quan (vd. 01-BV-0001)",
        },
        "entity.name": {"en": "Full name", "vi": "Tên đầy đủ"},
        "entity.type": {"en": "Type", "vi": "Loại hình"},
        "entity.province": {"en": "Province or city", "vi": "Tỉnh/thành phố"},
        "entity.district": {"en": "District", "vi": "Quận/huyện"},
        "entity.commune": {"en": "Commune or ward", "vi": "Xã/phường"},
        "entity.ownership": {"en": "Ownership (public or private)", "vi": "Hình thức sở hữu (public hoặc private)"},
        "entity.level": {
            "en": "Grade (optional, free text, e.g. hạng I, hạng II)",
            "vi": "Hạng (không bắt buộc, ghi tự do, vd. hạng I, hạng II)",
        },
        "entity.beds": {"en": "Planned beds", "vi": "Số giường bệnh kế hoạch"},
        "assessment.date": {"en": "Date of the assessment", "vi": "Ngày đánh giá"},
        "assessment.assessor": {"en": "Assessor", "vi": "Người đánh giá"},
        "assessment.respondent": {"en": "Respondent (name, role)", "vi": "Người trả lời (họ tên, chức vụ)"},
        "assessment.notes": {"en": "Notes", "vi": "Ghi chú"},
        "yes": {"en": "Yes", "vi": "Có"},
        "no": {"en": "No", "vi": "Không"},
        "na": {"en": "Not applicable", "vi": "Không áp dụng"},
        "na_flag": {"en": "Not applicable here", "vi": "Không áp dụng tại đơn vị"},
        "evidence": {
            "en": "Evidence for the answer above (document, number, date)",
            "vi": "Minh chứng cho câu trả lời trên (văn bản, số, ngày)",
        },
        "evidence_required": {
            "en": "This answer needs evidence",
            "vi": "Câu trả lời này cần có minh chứng",
        },
        "comment": {"en": "Comment on the answer above", "vi": "Ghi chú cho câu trả lời trên"},
        "unit": {"en": "Unit", "vi": "Đơn vị tính"},
        "number": {"en": "Enter a number, 0 or more", "vi": "Nhập một số từ 0 trở lên"},
        "percent": {"en": "Enter a percentage from 0 to 100", "vi": "Nhập tỷ lệ phần trăm từ 0 đến 100"},
        "na_alone": {
            "en": "'Not applicable' cannot be chosen together with other options",
            "vi": "Không thể chọn 'Không áp dụng' cùng với các phương án khác",
        },
    }
)

ENTITY_TYPE_LABELS: MappingProxyType[str, dict[str, str]] = MappingProxyType(
    {
        "hospital": {"en": "Hospital", "vi": "Bệnh viện"},
        "health_centre": {"en": "Health centre", "vi": "Trung tâm Y tế"},
        "commune_health_station": {"en": "Commune health station", "vi": "Trạm Y tế xã, phường, đặc khu"},
        "clinic": {"en": "Clinic", "vi": "Phòng khám"},
        "provincial_health_department": {"en": "Provincial health department", "vi": "Sở Y tế"},
        "ministry": {"en": "Ministry of Health", "vi": "Bộ Y tế"},
    }
)


def label(key: str, lang: str) -> str:
    """One of the labels above in ``lang`` (English when the language is not one of dhti's)."""
    return pick(LABELS[key], lang)


def labels(key: str, languages: tuple[str, ...]) -> Mapping[str, str]:
    """A label in each of ``languages``, as a questionnaire text."""
    return {lang: label(key, lang) for lang in languages}


def entity_type_text(entity_type: str, languages: tuple[str, ...]) -> Mapping[str, str]:
    """A readable name for an entity type code such as ``health_centre``."""
    known = ENTITY_TYPE_LABELS.get(entity_type)
    plain = entity_type.replace("_", " ")
    return {lang: pick(known, lang) if known else plain for lang in languages}
