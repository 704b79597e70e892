"""The demo city: 通化市, after seed 000 (“数字通化” 情况通报), 42 departments."""

from django.contrib.auth.models import Group

from organizations.models import Department, User
from organizations.roles import Role

DEMO_PASSWORD = "govshare2026"

# (code, name, short name for document numbers, seal text)
CITY_DEPARTMENTS = [
    ("TH-ZS", "市政数局", "通政数", "通化市政务服务和数字化建设管理局"),
    ("TH-CZ", "市财政局", "通财", "通化市财政局"),
    ("TH-SJ", "市审计局", "通审", "通化市审计局"),
    ("TH-GA", "市公安局", "通公", "通化市公安局"),
    ("TH-GJJ", "市住房公积金管理中心", "通公积金", "通化市住房公积金管理中心"),
    ("TH-ZRZY", "市自然资源局", "通自然资", "通化市自然资源局"),
    ("TH-WJW", "市卫健委", "通卫健", "通化市卫生健康委员会"),
    ("TH-WL", "市文旅局", "通文旅", "通化市文化广播电视和旅游局"),
    ("TH-MZ", "市民政局", "通民", "通化市民政局"),
    ("TH-ZJ", "市住建局", "通住建", "通化市住房和城乡建设局"),
    ("TH-FY", "市中级人民法院", "通中法", "吉林省通化市中级人民法院"),
    ("TH-YB", "市医保局", "通医保", "通化市医疗保障局"),
    ("TH-JT", "市交通局", "通交", "通化市交通运输局"),
    ("TH-XCB", "市委宣传部", "通宣", "中共通化市委宣传部"),
    ("TH-RS", "市人社局", "通人社", "通化市人力资源和社会保障局"),
    ("TH-SCJG", "市市场监管局", "通市监", "通化市市场监督管理局"),
    ("TH-FG", "市发改委", "通发改", "通化市发展和改革委员会"),
    ("TH-JY", "市教育局", "通教", "通化市教育局"),
    ("TH-KJ", "市科技局", "通科", "通化市科学技术局"),
    ("TH-GX", "市工信局", "通工信", "通化市工业和信息化局"),
    ("TH-SF", "市司法局", "通司", "通化市司法局"),
    ("TH-STHJ", "市生态环境局", "通环", "通化市生态环境局"),
    ("TH-SL", "市水利局", "通水", "通化市水利局"),
    ("TH-NY", "市农业农村局", "通农", "通化市农业农村局"),
    ("TH-SW", "市商务局", "通商", "通化市商务局"),
    ("TH-TY", "市退役军人事务局", "通退役", "通化市退役军人事务局"),
    ("TH-YJ", "市应急管理局", "通应急", "通化市应急管理局"),
    ("TH-TJ", "市统计局", "通统", "通化市统计局"),
    ("TH-LY", "市林业局", "通林", "通化市林业局"),
    ("TH-CG", "市城管局", "通城管", "通化市城市管理行政执法局"),
    ("TH-XF", "市信访局", "通信访", "通化市信访局"),
    ("TH-DA", "市档案馆", "通档", "通化市档案馆"),
    ("TH-JGSW", "市机关事务管理局", "通机关", "通化市机关事务管理局"),
    ("TH-TYJ", "市体育局", "通体", "通化市体育局"),
    ("TH-CL", "市残联", "通残联", "通化市残疾人联合会"),
]

COUNTY_DEPARTMENTS = [
    ("TH-DC", "东昌区政数局", "东政数", "通化市东昌区政务服务和数字化建设管理局"),
    ("TH-EDJ", "二道江区政数局", "二政数", "通化市二道江区政务服务和数字化建设管理局"),
    ("TH-MHK", "梅河口市政数局", "梅政数", "梅河口市政务服务和数字化建设管理局"),
    ("TH-JA", "集安市政数局", "集政数", "集安市政务服务和数字化建设管理局"),
    ("TH-THX", "通化县政数局", "通县政数", "通化县政务服务和数字化建设管理局"),
    ("TH-HN", "辉南县政数局", "辉政数", "辉南县政务服务和数字化建设管理局"),
    ("TH-LH", "柳河县政数局", "柳政数", "柳河县政务服务和数字化建设管理局"),
]

# (username, family name, given name, department code, role)
PERSONAS = [
    ("ga_applicant", "王", "建国", "TH-GA", Role.APPLICANT),
    ("zj_reviewer", "李", "晓梅", "TH-ZJ", Role.PROVIDER_REVIEWER),
    ("zj_leader", "张", "志强", "TH-ZJ", Role.DEPT_LEADER),
    ("zs_coordinator", "陈", "静", "TH-ZS", Role.DATA_BUREAU),
    ("cz_finance", "刘", "洋", "TH-CZ", Role.FINANCE),
    ("sj_auditor", "周", "敏", "TH-SJ", Role.AUDITOR),
]


def load(*, stdout) -> None:
    city_bureau = _departments(stdout)
    for username, family, given, code, role in PERSONAS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "last_name": family,
                "first_name": given,
                "email": f"{username}@tonghua.gov.example",
                "department": Department.objects.get(code=code),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "department": city_bureau}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    stdout.write(f"部门 {Department.objects.count()} 个。演示账号（密码均为 {DEMO_PASSWORD}）：")
    for username, family, given, code, role in PERSONAS:
        stdout.write(f"  {username:<16} {family}{given}  {Department.objects.get(code=code).name}  {role.label}")
    stdout.write(f"  {'admin':<16} 系统管理员（/admin/）")


FAMILY_NAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN_NAMES = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"]


def _contacts(index: int, code: str) -> dict[str, str]:
    """Seed 000 asks each department for its sharing officer and contact (共享负责人员名单)."""
    officer = FAMILY_NAMES[index % len(FAMILY_NAMES)] + GIVEN_NAMES[index % len(GIVEN_NAMES)]
    contact = FAMILY_NAMES[(index * 7 + 3) % len(FAMILY_NAMES)] + GIVEN_NAMES[(index * 5 + 1) % len(GIVEN_NAMES)]
    mailbox = code.lower().replace("th-", "")
    return {
        "sharing_officer_name": officer,
        "sharing_officer_phone": f"0435-32{index:05d}",
        "sharing_officer_email": f"share-{mailbox}@tonghua.gov.example",
        "contact_name": contact,
        "contact_phone": f"0435-36{index:05d}",
        "contact_email": f"contact-{mailbox}@tonghua.gov.example",
    }


def _departments(stdout) -> Department:
    """Create what is missing; an operator's later edits are kept."""
    rows = [(row, Department.Level.CITY) for row in CITY_DEPARTMENTS]
    rows += [(row, Department.Level.COUNTY) for row in COUNTY_DEPARTMENTS]
    city_bureau = None
    for index, ((code, name, short_name, seal_text), level) in enumerate(rows):
        department, _ = Department.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short_name,
                "seal_text": seal_text,
                "level": level,
                "parent": city_bureau if level == Department.Level.COUNTY else None,
                **_contacts(index, code),
            },
        )
        city_bureau = city_bureau or department
    return city_bureau
