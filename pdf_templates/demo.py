"""One sample record of each type no domain app issues yet, rendered now so a newcomer can open them
under 文书记录. Their subjects are Department rows until those apps issue their own records.

The share applications' demo issues real 审核意见书, 不予共享告知书, 撤销通知 and 场景授权书, the self-check's demo
real 自查审核意见, 关停通知书 and 关停确认书, and the projects' demo real 初审意见书 and 资金闸口核验单: samples of those
would take numbers from the real sequences and cite subjects that do not exist. Their sample data stays in samples()
for the layout tests and the records benchmark (B3).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from organizations.models import Department, User
from pdf_templates.dates import chinese_date
from pdf_templates.models import Record, RecordType
from pdf_templates.services import issue_record, render_record
from pdf_templates.signing import CERT_FILE, KEY_FILE, make_self_signed_pair
from workflows.workdays import add_workdays


# (type, issuer code, subject code, actor username, title, addressee, data)
def samples(today: dt.date | None = None) -> list[tuple]:
    """The samples, their dates set from the day they are issued (a record is issued now, so what it
    says happened is in the past and what it gives time for is in the future)."""
    today = today or timezone.localdate()
    return [
        (
            RecordType.REVIEW_OPINION,
            "TH-ZJ",
            "TH-GA",
            "zj_reviewer",
            "关于市公安局申请共享房屋网签备案信息的审核意见书",
            "市公安局",
            {
                "body": ["你单位《关于申请共享房屋网签备案信息的函》收悉。经审核，现将审核意见告知如下。"],
                "decision": "同意有条件共享，共享方式为信息核验接口。",
                "granted_items": ["房屋坐落", "备案合同编号", "买受人姓名"],
                "conditions": ["仅用于户籍迁入业务办理中的住所核验", "不得向第三方提供或公开"],
                "valid_until": chinese_date(today.replace(year=today.year + 1, month=6, day=30)),
                "facts": [
                    {"label": "申请编号", "value": "SQ000015"},
                    {"label": "数据资源", "value": "房屋网签备案信息"},
                ],
            },
        ),
        (
            RecordType.REFUSAL_NOTICE,
            "TH-ZJ",
            "TH-WL",
            "zj_reviewer",
            "关于市文旅局申请共享住房公积金缴存明细的不予共享告知书",
            "市文化广播电视和旅游局",
            {
                "body": ["你单位申请共享的数据资源经审核，决定不予共享，理由如下。"],
                "reason": "所申请信息项属于个人敏感信息，与所述办理事项无直接关联，不符合最小必要原则。",
                "legal_basis": "《中华人民共和国个人信息保护法》第六条",
            },
        ),
        (
            RecordType.REVOCATION_NOTICE,
            "TH-ZJ",
            "TH-MZ",
            "zj_reviewer",
            "关于撤销市民政局房屋登记信息共享授权的通知",
            "市民政局",
            {
                "body": ["经核查，你单位超出授权范围使用共享数据，现决定撤销该项共享授权。"],
                "reason": "超出授权的应用场景批量调用接口。",
                "effective_on": chinese_date(today),
            },
        ),
        (
            RecordType.SHUTDOWN_NOTICE,
            "TH-ZS",
            "TH-WL",
            "zs_coordinator",
            "关于拟关停“旅游景区客流统计系统”的通知书",
            "市文化广播电视和旅游局",
            {
                "body": [
                    "根据全市自建信息系统自查清理工作安排，经核查，你单位以下系统符合僵尸系统认定规则，拟予关停。"
                ],
                "system_name": "旅游景区客流统计系统",
                "findings": ["近 180 天无用户登录", "未接入市政务数据共享平台"],
                "objection_deadline": chinese_date(add_workdays(today, 10)),
            },
        ),
        (
            RecordType.SHUTDOWN_CONFIRMATION,
            "TH-ZS",
            "TH-WL",
            "zs_coordinator",
            # Another system than the notice's: that one's objection period is still running.
            "关于“文化馆活动预约系统（旧版）”关停的确认书",
            "市文化广播电视和旅游局",
            {
                "body": [
                    f"你单位“文化馆活动预约系统（旧版）”拟关停的异议期已于{chinese_date(add_workdays(today, -5))}届满，"
                    "期间未收到异议，数据处置已完成，现确认该系统关停。"
                ],
                "system_name": "文化馆活动预约系统（旧版）",
                "disposition": "历史数据已归档至市政务云数据备份库，归档清单已核对。",
                "shut_down_on": chinese_date(add_workdays(today, -2)),
            },
        ),
        (
            RecordType.SELF_CHECK_OPINION,
            "TH-ZS",
            "TH-WL",
            "zs_coordinator",
            "关于市文旅局信息系统建设自查报告的审核意见",
            "市文化广播电视和旅游局",
            {
                "body": ["你单位报送的信息系统建设自查报告收悉。经审核，意见如下。"],
                "conclusion": "退回补正。",
                "summary": "报送在用信息系统 5 个，其中自建系统 4 个，部署于政务云 2 个，已接入共享平台 3 个。",
                "comments": [
                    {"system": "旅游景区客流统计系统", "action": "确认无变化", "comment": "请核实使用频度。"},
                    {"system": "文化馆活动预约系统", "action": "修改", "comment": "请补充未部署政务云的原因。"},
                ],
                "requirements": ["补充未部署政务云系统的原因", "核实接入共享平台的接口数"],
                "resubmit_by": chinese_date(add_workdays(today, 5)),
            },
        ),
        (
            RecordType.FIRST_REVIEW_OPINION,
            "TH-ZS",
            "TH-YB",
            "zs_coordinator",
            "关于市医保局“医保智能审核系统升级项目”的初审意见书",
            "市医疗保障局",
            {
                "body": ["你单位报送的建设项目材料收悉。经对照政务信息资源共享要求初审，意见如下。"],
                "conclusion": "符合政务信息资源共享要求，同意进入立项程序。",
                "requirements": ["项目建成后三个月内完成新增数据资源编目", "系统部署于市政务云"],
            },
        ),
        (
            RecordType.FUNDING_GATE_SHEET,
            "TH-ZS",
            "TH-YB",
            "zs_coordinator",
            "医保智能审核系统升级项目资金闸口核验单",
            "市财政局",
            {
                "body": ["根据系统实时数据对该项目逐项核验，结果如下。"],
                "rules": [
                    {
                        "name": "规划数据已编目",
                        "clause": "共享办法第十二条",
                        "passed": True,
                        "evidence": "6 项资源已编目",
                    },
                    {
                        "name": "最近一次自查报告已通过",
                        "clause": "自查通知第三条",
                        "passed": True,
                        "evidence": f"{today.year} 年自查已通过",
                    },
                    {"name": "无未处置僵尸系统", "clause": "共享办法第二十条", "passed": True, "evidence": "0 个"},
                    {"name": "部署于政务云", "clause": "政务云管理办法第八条", "passed": True, "evidence": "已部署"},
                ],
                "conclusion": "资金闸口通过，可安排预算。",
            },
        ),
        (
            RecordType.SCENARIO_AUTHORIZATION,
            "TH-ZS",
            "TH-ZJ",
            "zs_coordinator",
            "关于“公租房申请资格审核”应用场景的场景授权书",
            "市住建局",
            {
                "body": ["你单位提出的“公租房申请资格审核”应用场景，经各提供部门确认，现予授权。"],
                "decision": "同意授权。",
                "parts": [
                    {
                        "provider": "市公安局",
                        "resource": "户籍人口信息",
                        "items": ["姓名", "公民身份号码", "户籍地址"],
                        "method": "信息核验接口",
                    },
                ],
                "conditions": ["仅用于公租房申请资格审核", "不得向第三方转授或提供"],
                "consumers": ["市住建局"],
                "valid_from": chinese_date(today),
                "valid_until": chinese_date(today.replace(year=today.year + 2, month=12, day=31)),
            },
        ),
        (
            RecordType.BULLETIN,
            "TH-ZS",
            "TH-ZS",
            "zs_coordinator",
            "关于政务数据共享工作的情况通报",
            "市直各部门",
            {
                "period": {"start": today.replace(day=1).isoformat(), "end": today.isoformat()},
                "progress": ["（一）信息系统建设自查方面。全市42个部门开展信息系统自查，15个部门共有68个自建系统。"],
                "problems": ["（一）共享申请答复超期。市文旅局（2件）存在超期未答复的共享申请。"],
                "next_steps": ["（一）各部门要按期答复共享申请，确需延期的及时说明理由。"],
                "charts": [],
                "rankings": {},
            },
        ),
    ]


ISSUED_BY_DOMAIN_APPS = {
    RecordType.REVIEW_OPINION,
    RecordType.REFUSAL_NOTICE,
    RecordType.REVOCATION_NOTICE,
    RecordType.SELF_CHECK_OPINION,
    RecordType.SCENARIO_AUTHORIZATION,
    RecordType.SHUTDOWN_NOTICE,
    RecordType.SHUTDOWN_CONFIRMATION,
    RecordType.FIRST_REVIEW_OPINION,
    RecordType.FUNDING_GATE_SHEET,
    RecordType.BULLETIN,
}


DEMO_CERT_NAME = "govshare 文书签发（自签名演示证书）"


def signing_pair(*, stdout) -> None:
    """In development, a self-signed key and certificate under var/signing/ (settings.RECORDS_SIGNING_DEMO_DIR),
    made once, so the demo's records are signed and /verify/ finds their signatures valid. Never in
    production (the folder is None there), nor when a pair is configured."""
    folder = settings.RECORDS_SIGNING_DEMO_DIR
    if folder is None:
        return
    key, cert = folder / KEY_FILE, folder / CERT_FILE
    if key.exists() and cert.exists():
        stdout.write(f"演示签名证书：沿用 {cert}。")
        return
    make_self_signed_pair(key, cert, common_name=DEMO_CERT_NAME, days=3650)
    stdout.write(f"演示签名证书：已生成 {cert}（自签名，仅供演示），文书以此签名。")


def load(*, stdout) -> None:
    signing_pair(stdout=stdout)
    created = 0
    sample_ids = []
    for type, issuer_code, subject_code, username, title, addressee, data in samples():
        if type in ISSUED_BY_DOMAIN_APPS:
            continue
        issuer = Department.objects.get(code=issuer_code)
        existing = Record.objects.filter(type=type, issuer=issuer, title=title).first()
        if existing is not None:
            sample_ids.append(existing.pk)
            continue
        record = issue_record(
            type=type,
            subject=Department.objects.get(code=subject_code),
            issuer=issuer,
            data=data,
            actor=User.objects.filter(username=username).first(),
            title=title,
            addressee=addressee,
        )
        created += 1
        sample_ids.append(record.pk)
        stdout.write(f"  文书 {record.number} {record.title}")
    # Rendered here, not by a worker, so the samples open even before one runs. Only the samples:
    # the other apps' demo records are left to the worker (hundreds would take minutes).
    pending = Record.objects.filter(pk__in=sample_ids, render_status=Record.RenderStatus.PENDING)
    for record_id in pending.values_list("pk", flat=True):
        render_record(record_id=record_id)
    stdout.write(f"示例文书：新增 {created} 件，共 {Record.objects.count()} 件（文书记录 /records/）。")
