"""Demo catalog for 通化市: about 200 resources over the demo departments (organizations/demo.py).

Covers the eight base libraries, every sharing class, every security level and every state,
plus legal bases, base-library targets (人口库 740/1,500 items = 49%, after seed 003), demands
and negative-list entries. Idempotent: only what is missing is created, in bulk.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from catalog import demo_sources
from catalog.choices import Network, ShareClass, UpdateFrequency
from catalog.models import (
    BaseLibraryTarget,
    DataItem,
    DataResource,
    DemandItem,
    LegalBasis,
    NegativeListEntry,
    ResourceStatus,
    ResourceVersion,
)
from catalog.services import snapshot
from organizations.models import Department, User
from workflows.hashing import canonical_json, sha256_hex

REGION = "220500"  # 通化市

LEGAL_BASES = [
    ("LB-001", "《中华人民共和国个人信息保护法》", "全国人民代表大会常务委员会", "", "第十三条"),
    ("LB-002", "《中华人民共和国数据安全法》", "全国人民代表大会常务委员会", "", "第三十八条"),
    ("LB-003", "《政务信息资源共享管理暂行办法》", "国务院", "国发〔2016〕51号", "第九条"),
    ("LB-004", "《中华人民共和国居民身份证法》", "全国人民代表大会常务委员会", "", "第六条"),
    ("LB-005", "《不动产登记暂行条例》", "国务院", "国务院令第656号", "第二十七条"),
    ("LB-006", "《中华人民共和国社会保险法》", "全国人民代表大会常务委员会", "", "第八十一条"),
    ("LB-007", "《中华人民共和国统计法》", "全国人民代表大会常务委员会", "", "第九条"),
    ("LB-008", "《中华人民共和国保守国家秘密法》", "全国人民代表大会常务委员会", "", "第十三条"),
]

TARGETS = {
    "population": 1500,
    "legal_entity": 600,
    "spatial": 400,
    "credit": 500,
    "e_license": 800,
    "housing": 300,
    "social_security": 700,
    "archives": 200,
}

# department code: (code part, domain, base library of the first resources, [resource names])
DEPARTMENT_RESOURCES = {
    "TH-GA": (
        "GA",
        "public_security",
        "population",
        [
            "居民身份证信息",
            "户籍人口信息",
            "流动人口居住登记信息",
            "户口迁移信息",
            "机动车驾驶证信息",
            "机动车登记信息",
            "出入境证件信息",
            "无犯罪记录证明信息",
        ],
    ),
    "TH-MZ": (
        "MZ",
        "social_assistance",
        "population",
        [
            "婚姻登记信息",
            "最低生活保障对象信息",
            "特困人员供养信息",
            "社会组织登记信息",
            "殡葬服务信息",
            "残疾人两项补贴信息",
        ],
    ),
    "TH-WJW": (
        "WJW",
        "health",
        "population",
        [
            "出生医学证明信息",
            "死亡医学证明信息",
            "医疗机构执业许可信息",
            "医师执业注册信息",
            "预防接种信息",
            "新冠疫苗接种信息",
        ],
    ),
    "TH-SCJG": (
        "SCJG",
        "market_regulation",
        "legal_entity",
        ["企业登记信息", "个体工商户登记信息", "企业年报信息", "食品经营许可信息", "特种设备登记信息", "行政处罚信息"],
    ),
    "TH-ZRZY": (
        "ZRZY",
        "geospatial",
        "spatial",
        ["国土空间规划信息", "基础地理信息", "建设用地审批信息", "矿业权信息", "土地利用现状信息"],
    ),
    "TH-FG": (
        "FG",
        "credit",
        "credit",
        ["公共信用信息", "失信联合惩戒对象信息", "守信激励对象信息", "固定资产投资项目信息", "价格监测信息"],
    ),
    "TH-ZS": (
        "ZS",
        "other",
        "e_license",
        ["电子证照目录信息", "电子证照照面信息", "政务服务事项办件信息", "好差评信息", "一网通办用户信息"],
    ),
    "TH-ZJ": (
        "ZJ",
        "urban_housing",
        "housing",
        [
            "房屋登记信息",
            "商品房预售许可信息",
            "公租房保障对象信息",
            "建筑业企业资质信息",
            "施工许可信息",
            "物业服务企业信息",
        ],
    ),
    "TH-RS": (
        "RS",
        "social_security",
        "social_security",
        [
            "社会保险参保信息",
            "养老保险待遇领取信息",
            "失业登记信息",
            "就业困难人员信息",
            "职业资格证书信息",
            "工伤认定信息",
        ],
    ),
    "TH-DA": (
        "DA",
        "education_culture",
        "archives",
        ["电子档案目录信息", "婚姻档案信息", "知青档案信息", "馆藏开放档案信息"],
    ),
    "TH-GJJ": ("GJJ", "finance_tax", "", ["住房公积金缴存信息", "住房公积金贷款信息", "住房公积金提取信息"]),
    "TH-YB": (
        "YB",
        "health",
        "social_security",
        ["医疗保险参保信息", "医保结算信息", "定点医药机构信息", "医疗救助对象信息"],
    ),
    "TH-JY": (
        "JY",
        "education_culture",
        "",
        ["学籍信息", "教师资格信息", "学历证书信息", "民办学校办学许可信息", "学生资助信息"],
    ),
    "TH-JT": (
        "JT",
        "transport",
        "",
        ["道路运输经营许可信息", "道路运输从业人员信息", "营运车辆信息", "出租汽车驾驶员信息"],
    ),
    "TH-STHJ": (
        "STHJ",
        "ecology",
        "",
        ["排污许可信息", "环境影响评价审批信息", "空气质量监测信息", "环境行政处罚信息"],
    ),
    "TH-SL": ("SL", "resources_energy", "", ["取水许可信息", "河道采砂许可信息", "水利工程信息"]),
    "TH-NY": (
        "NY",
        "industry_agriculture",
        "",
        ["农村土地承包经营权信息", "农机购置补贴信息", "家庭农场名录信息", "兽药经营许可信息"],
    ),
    "TH-SW": ("SW", "trade", "", ["对外贸易经营者备案信息", "单用途预付卡备案信息", "成品油零售经营许可信息"]),
    "TH-YJ": (
        "YJ",
        "work_safety",
        "",
        ["安全生产许可信息", "危险化学品经营许可信息", "应急救援队伍信息", "安全生产行政处罚信息"],
    ),
    "TH-TJ": ("TJ", "other", "", ["统计调查项目信息", "统计年鉴信息", "规模以上企业名录信息"]),
    "TH-LY": ("LY", "ecology", "", ["林木采伐许可信息", "林地审批信息", "野生动物保护信息"]),
    "TH-SF": ("SF", "legal_services", "", ["律师执业信息", "公证员执业信息", "法律援助信息", "人民调解信息"]),
    "TH-FY": ("FY", "legal_services", "credit", ["失信被执行人信息", "裁判文书信息", "限制高消费人员信息"]),
    "TH-KJ": ("KJ", "science", "", ["高新技术企业认定信息", "科技计划项目信息", "科技型中小企业信息"]),
    "TH-GX": ("GX", "industry_agriculture", "", ["工业企业名录信息", "专精特新企业信息", "无线电台执照信息"]),
    "TH-WL": ("WL", "education_culture", "", ["旅行社经营许可信息", "娱乐场所经营许可信息", "A级旅游景区信息"]),
    "TH-TY": ("TY", "social_assistance", "", ["退役军人信息", "优抚对象信息", "光荣院供养信息"]),
    "TH-CG": ("CG", "urban_housing", "", ["城市道路占用许可信息", "户外广告设置许可信息", "城管行政处罚信息"]),
    "TH-CL": ("CL", "social_assistance", "population", ["残疾人证信息", "残疾人就业信息", "残疾人康复服务信息"]),
    "TH-XF": ("XF", "other", "", ["信访事项办理信息", "信访人诉求统计信息"]),
    "TH-TYJ": ("TYJ", "living_services", "", ["高危险性体育项目经营许可信息", "社会体育指导员信息"]),
    "TH-JGSW": ("JGSW", "other", "", ["公务用车信息", "办公用房信息"]),
    "TH-CZ": ("CZ", "finance_tax", "", ["政府采购信息", "非税收入信息", "财政票据信息"]),
    "TH-SJ": ("SJ", "finance_tax", "", ["审计项目信息", "审计整改信息"]),
    "TH-XCB": ("XCB", "education_culture", "", ["新闻出版许可信息", "网络视听节目许可信息"]),
    "TH-DC": ("DC", "other", "", ["东昌区政务服务办件信息", "东昌区网格化管理信息"]),
    "TH-EDJ": ("EDJ", "other", "", ["二道江区政务服务办件信息", "二道江区企业开办信息"]),
    "TH-MHK": ("MHK", "other", "", ["梅河口市政务服务办件信息", "梅河口市医保经办信息", "梅河口市人口普查信息"]),
    "TH-JA": ("JA", "other", "", ["集安市政务服务办件信息", "集安市文物保护信息"]),
    "TH-THX": ("THX", "other", "", ["通化县政务服务办件信息", "通化县农业补贴信息"]),
    "TH-HN": ("HN", "other", "", ["辉南县政务服务办件信息", "辉南县林权信息"]),
    "TH-LH": ("LH", "other", "", ["柳河县政务服务办件信息", "柳河县农村低保信息"]),
}

COMMON_ITEMS = [
    ("统一编号", "C", 32, None),
    ("名称", "C", 200, None),
    ("证件号码", "C", 18, None),
    ("登记日期", "D", None, None),
    ("有效期至", "D", None, None),
    ("办理机关", "C", 100, None),
    ("状态", "C", 10, None),
    ("金额", "Y", 14, 2),
    ("数量", "I", None, None),
    ("备注", "M", None, None),
    ("更新时间", "T", None, None),
    ("是否有效", "L", None, None),
]
POPULATION_ITEMS = [
    "姓名",
    "曾用名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "户籍地址",
    "现住址",
    "婚姻状况",
    "文化程度",
]

# Resources with items of their own instead of COMMON_ITEMS. The README's grant-check example asks about
# 房屋坐落 and 建筑面积 of 房屋登记信息 (requests/demo.py grants them to 市公安局). Levels follow the same rule.
OWN_ITEMS = {
    f"{REGION}-ZJ-00001": [
        ("不动产单元号", "C", 28, None),
        ("权利人名称", "C", 200, None),
        ("权利人证件号码", "C", 18, None),
        ("登记日期", "D", None, None),
        ("房屋坐落", "C", 200, None),
        ("建筑面积", "N", 12, 2),
        ("规划用途", "C", 20, None),
        ("登记机构", "C", 100, None),
        ("权属状态", "C", 10, None),
    ],
}

# Population resources share 740 items: seed 003's 740 of 1,500 (49%).
POPULATION_ITEM_TOTAL = 740

STATUS_CYCLE = (
    [ResourceStatus.REGISTERED] * 12
    + [ResourceStatus.MOUNTED] * 4
    + [ResourceStatus.SUBMITTED, ResourceStatus.DRAFT, ResourceStatus.RETURNED, ResourceStatus.WITHDRAWN]
)
CLASS_CYCLE = [ShareClass.UNCONDITIONAL] * 5 + [ShareClass.CONDITIONAL] * 4 + [ShareClass.NONE]
FREQUENCIES = [f for f in UpdateFrequency.values if f != "other"]
NETWORKS = list(Network.values)


def _plan() -> list[dict]:
    """Every demo resource, in a fixed order, so codes stay stable between runs."""
    plan = []
    for dept_code, (abbrev, domain, library, names) in DEPARTMENT_RESOURCES.items():
        # Smaller departments also publish their licensing and enforcement results.
        padding = ["行政许可结果信息", "行政处罚结果信息", "监督检查结果信息"][: max(0, 5 - len(names))]
        for serial, name in enumerate(names + padding, start=1):
            plan.append(
                {
                    "department": dept_code,
                    "code": f"{REGION}-{abbrev}-{serial:05d}",
                    "name": name,
                    "domain": domain,
                    "base_library": library if serial <= 3 else "",
                }
            )
    return plan


def load(*, stdout) -> None:
    bases = {}
    for code, title, issuer, number, article in LEGAL_BASES:
        bases[code], _ = LegalBasis.objects.get_or_create(
            code=code, defaults={"title": title, "issuer": issuer, "document_number": number, "article": article}
        )
    for library, expected in TARGETS.items():
        BaseLibraryTarget.objects.get_or_create(base_library=library, defaults={"expected_items": expected})

    departments = {d.code: d for d in Department.objects.filter(code__in=DEPARTMENT_RESOURCES)}
    bureau_user = User.objects.filter(username="zs_coordinator").first()
    plan = [p for p in _plan() if p["department"] in departments]
    existing = set(DataResource.objects.filter(code__in=[p["code"] for p in plan]).values_list("code", flat=True))
    todo = [p for p in plan if p["code"] not in existing]
    if todo:
        _create(todo, plan, departments, bases, bureau_user)
    _demands_and_negative(departments, bases, bureau_user)
    demo_sources.load(stdout=stdout)
    stdout.write(
        f"资源目录：{DataResource.objects.count()} 个资源、{DataItem.objects.count()} 个信息项、"
        f"{DemandItem.objects.count()} 条需求、{NegativeListEntry.objects.count()} 条负面清单。"
    )


def _create(todo, plan, departments, bases, bureau_user) -> None:
    now = timezone.now()
    population = [p for p in plan if p["base_library"] == "population"]
    per_population = POPULATION_ITEM_TOTAL // max(len(population), 1)
    resources, item_specs = [], {}
    for index, p in enumerate(plan):
        if p not in todo:
            continue
        share_class = CLASS_CYCLE[index % len(CLASS_CYCLE)]
        status = STATUS_CYCLE[index % len(STATUS_CYCLE)]
        level = index % 4 + 1
        published = status in (ResourceStatus.REGISTERED, ResourceStatus.MOUNTED, ResourceStatus.WITHDRAWN)
        resource = DataResource(
            code=p["code"],
            name=p["name"],
            provider_department=departments[p["department"]],
            description=f"{departments[p['department']].name}履职过程中产生的{p['name']}。",
            domain=p["domain"],
            domain_other="政务服务" if p["domain"] == "other" else "",
            share_class=share_class,
            share_conditions="仅限办理相关政务服务事项时核验使用，不得转授他人。"
            if share_class == ShareClass.CONDITIONAL
            else "",
            legal_basis=bases["LB-003"]
            if share_class == ShareClass.CONDITIONAL
            else (bases["LB-001"] if share_class == ShareClass.NONE else None),
            legal_basis_text="涉及个人隐私，依法不予共享。" if share_class == ShareClass.NONE else "",
            security_level=level,
            network=NETWORKS[index % len(NETWORKS)],
            update_frequency=FREQUENCIES[index % len(FREQUENCIES)],
            query_api=share_class != ShareClass.NONE and index % 2 == 0,
            verify_api=share_class != ShareClass.NONE and index % 3 == 0,
            bulk_exchange=share_class != ShareClass.NONE and index % 2 == 1,
            file_download=share_class != ShareClass.NONE and index % 5 == 0,
            base_library=p["base_library"],
            in_responsibility_list=index % 4 == 0,
            open_to_public=share_class == ShareClass.UNCONDITIONAL and level == 1,
            status=status,
            mounted_records=(index + 1) * 1379 if status == ResourceStatus.MOUNTED else 0,
            last_mounted_on=dt.date(2026, 3, 1) + dt.timedelta(days=index % 60)
            if status == ResourceStatus.MOUNTED
            else None,
            review_comment="信息项说明不完整，请补充数据类型和长度。" if status == ResourceStatus.RETURNED else "",
            withdraw_reason="来源系统已关停，数据迁移至省级平台。" if status == ResourceStatus.WITHDRAWN else "",
            version=1 if published else 0,
            submitted_at=now if status != ResourceStatus.DRAFT else None,
            registered_at=now if published else None,
            withdrawn_at=now if status == ResourceStatus.WITHDRAWN else None,
        )
        resources.append(resource)
        count = per_population if p["base_library"] == "population" else 4 + index % 9
        count = len(OWN_ITEMS.get(p["code"], [])) or count
        item_specs[p["code"]] = (count, level, p["base_library"] == "population")
    DataResource.objects.bulk_create(resources, batch_size=500)
    ids = dict(DataResource.objects.filter(code__in=item_specs).values_list("code", "pk"))
    items = []
    for code, (count, level, is_population) in item_specs.items():
        for position in range(1, count + 1):
            if code in OWN_ITEMS:
                name, data_type, length, precision = OWN_ITEMS[code][position - 1]
            elif is_population and position <= len(POPULATION_ITEMS):
                name, data_type, length, precision = POPULATION_ITEMS[position - 1], "C", 50, None
            else:
                name, data_type, length, precision = COMMON_ITEMS[(position - 1) % len(COMMON_ITEMS)]
                if position > len(COMMON_ITEMS) or is_population:
                    name = f"{name}{position}"
            items.append(
                DataItem(
                    resource_id=ids[code],
                    position=position,
                    name=name,
                    data_type=data_type,
                    length=length,
                    precision=precision,
                    security_level=min(4, level + (1 if "证件号码" in name or name == "公民身份号码" else 0)),
                )
            )
    DataItem.objects.bulk_create(items, batch_size=2000)
    versions = []
    for resource in DataResource.objects.filter(code__in=item_specs, version=1).select_related(
        "provider_department", "legal_basis"
    ):
        data = snapshot(resource)
        versions.append(
            ResourceVersion(
                resource=resource,
                number=1,
                snapshot=data,
                snapshot_hash=sha256_hex(canonical_json(data)),
                summary="注册（演示数据）",
                created_by=bureau_user,
            )
        )
    ResourceVersion.objects.bulk_create(versions)


def _demands_and_negative(departments, bases, bureau_user) -> None:
    if DemandItem.objects.exists() or bureau_user is None:
        return
    demands = [
        ("TH-GA", "结婚证", "户口迁移（夫妻投靠）", "fewer_materials", "TH-MZ", "verify_api", "婚姻登记信息"),
        ("TH-RS", "不动产权证书", "人才住房补贴申请", "fewer_materials", "TH-ZJ", "query_api", "房屋登记信息"),
        ("TH-JY", "出生医学证明", "义务教育入学登记", "less_filling", "TH-WJW", "verify_api", None),
        ("TH-ZJ", "最低生活保障证", "公租房保障资格审核", "coordination", "TH-MZ", "query_api", None),
        ("TH-YB", "残疾人证", "医疗救助对象认定", "fewer_materials", "TH-CL", "verify_api", None),
        ("TH-MZ", "死亡医学证明", "殡葬补贴发放", "coordination", None, "bulk_exchange", None),
    ]
    for dept, name, matter, purpose, provider, method, linked_name in demands:
        if dept not in departments:
            continue
        demand = DemandItem.objects.create(
            department=departments[dept],
            data_name=name,
            business_matter=matter,
            purpose=purpose,
            desired_provider=departments.get(provider) if provider else None,
            share_method=method,
            update_frequency="daily",
            # Someone of the demanding department, who sees the demand and hears when it is linked.
            created_by=User.objects.filter(department=departments[dept]).order_by("pk").first() or bureau_user,
            description=f"办理“{matter}”时需核验{name}。",
        )
        linked = (
            DataResource.objects.filter(name=linked_name, status__in=["registered", "mounted"]).first()
            if linked_name
            else None
        )
        if linked:
            demand.link()
            demand.linked_resource = linked
            demand.linked_by = bureau_user
            demand.linked_at = timezone.now()
            demand.save()
    for name, item_names, basis, reason in [
        ("居民身份证信息", ["公民身份号码"], "LB-004", "身份证号码属于敏感个人信息，仅可核验不可批量提供。"),
        ("裁判文书信息", [], "LB-008", "未公开的裁判文书涉及国家秘密和审判秘密。"),
        ("社会保险参保信息", ["证件号码"], "LB-006", "参保人证件号码依法保密。"),
    ]:
        resource = DataResource.objects.filter(name=name).first()
        if resource is None:
            continue
        entry = NegativeListEntry.objects.create(
            resource=resource, legal_basis=bases[basis], reason=reason, created_by=bureau_user
        )
        entry.items.set(resource.items.filter(name__in=item_names))
