from django.db import migrations

# The maintained list of function categories (功能类别); operators extend it in the admin.
CATEGORIES = [
    ("OA", "办公自动化"),
    ("APPROVAL", "行政审批与政务服务"),
    ("REGISTRATION", "登记注册与证照管理"),
    ("SUPERVISION", "执法监管"),
    ("BUSINESS", "业务办理与管理"),
    ("PUBLIC_SERVICE", "面向公众服务"),
    ("PORTAL", "门户网站与信息发布"),
    ("DECISION", "统计分析与决策支持"),
    ("GIS", "地理信息与空间数据"),
    ("VIDEO", "视频监控与指挥调度"),
    ("ARCHIVES", "档案与文件管理"),
    ("FINANCE", "财务与资产管理"),
    ("PERSONNEL", "人事与内部管理"),
    ("EXCHANGE", "数据交换与共享"),
    ("OTHER", "其他"),
]


def create(apps, schema_editor):
    FunctionCategory = apps.get_model("systems_inventory", "FunctionCategory")
    for position, (code, name) in enumerate(CATEGORIES, start=1):
        FunctionCategory.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("systems_inventory", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
