import io
from pathlib import Path

import pytest
from django.db import transaction
from pypdf import PdfReader

from pdf_templates.models import RecordType
from pdf_templates.services import issue_record, render_record
from pdf_templates.signing import make_self_signed_pair

SAMPLE_DATA = {
    RecordType.REVIEW_OPINION: {
        "body": ["经审核，同意共享。"],
        "decision": "同意有条件共享。",
        "granted_items": ["房屋坐落"],
    },
    RecordType.REFUSAL_NOTICE: {"reason": "与办理事项无关。", "legal_basis": "《个人信息保护法》第六条"},
    RecordType.REVOCATION_NOTICE: {"reason": "超范围使用。", "effective_on": "2026年3月1日"},
    RecordType.SHUTDOWN_NOTICE: {
        "system_name": "客流统计系统",
        "findings": ["无用户"],
        "objection_deadline": "2026年3月20日",
    },
    RecordType.SHUTDOWN_CONFIRMATION: {"system_name": "客流统计系统", "disposition": "已归档。"},
    RecordType.FIRST_REVIEW_OPINION: {"conclusion": "同意立项。", "requirements": ["编目"]},
    RecordType.FUNDING_GATE_SHEET: {
        "rules": [{"name": "规划数据已编目", "clause": "第十二条", "passed": True, "evidence": "6 项"}],
        "conclusion": "通过。",
    },
    RecordType.SELF_CHECK_OPINION: {
        "conclusion": "退回补正。",
        "summary": "报送自建信息系统 3 个。",
        "comments": [{"system": "不动产登记系统", "action": "修改", "comment": "请补充未部署政务云的原因。"}],
        "resubmit_by": "2026年3月9日",
    },
    RecordType.SCENARIO_AUTHORIZATION: {
        "decision": "部分同意授权。",
        "parts": [
            {"provider": "市住建局", "resource": "房屋登记信息", "items": ["房屋坐落"], "method": "信息查询接口"}
        ],
        "not_authorized": ["市民政局“婚姻登记信息”：已有省级核验接口"],
        "consumers": ["市公安局"],
        "valid_from": "2026年3月1日",
        "valid_until": "2027年12月31日",
    },
    RecordType.BULLETIN: {
        "period": {"start": "2026-11-01", "end": "2026-11-30"},
        "progress": ["（一）全市42个部门开展信息系统自查，15个部门共有68个自建系统。"],
        "problems": ["（一）市文旅局存在超期未答复的共享申请。"],
        "next_steps": ["（一）各部门要按期答复共享申请。"],
        "charts": [],
        "rankings": {
            "timeliness": {"title": "按时答复（提供方）", "rows": [[1, "市公安局", 100.0, "决定3件，曾超期0件"]]}
        },
    },
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://govshare.example"
    return settings.MEDIA_ROOT


@pytest.fixture
def signing(settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("signing")
    key, cert = Path(folder / "key.pem"), Path(folder / "cert.pem")
    make_self_signed_pair(key, cert, common_name="govshare test", days=30)
    settings.RECORDS_SIGNING_KEY = str(key)
    settings.RECORDS_SIGNING_CERT = str(cert)
    return key, cert


@pytest.fixture
def issue(zhujian, gongan, zhujian_reviewer):
    """Issue a record of the 住建局 about the 公安局 (the subject department) and commit it."""

    def _issue(type=RecordType.REVIEW_OPINION, *, render=False, **kwargs):
        params = {
            "type": type,
            "subject": gongan,
            "issuer": zhujian,
            "data": SAMPLE_DATA[type],
            "actor": zhujian_reviewer,
            "title": f"关于市公安局的{RecordType(type).label}",
            "addressee": "市公安局",
        }
        params.update(kwargs)
        with transaction.atomic():
            record = issue_record(**params)
        return render_record(record_id=record.pk) if render else record

    return _issue


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
