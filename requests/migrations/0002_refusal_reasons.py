from django.db import migrations

# The maintained list; operators extend it in the admin.
REASONS = [
    ("LAW_PROHIBITED", "法律法规禁止共享", True),
    ("STATE_SECRET", "涉及国家秘密", True),
    ("PERSONAL_PRIVACY", "涉及个人隐私且无法律授权", True),
    ("COMMERCIAL_SECRET", "涉及商业秘密", True),
    ("PURPOSE_UNRELATED", "申请用途与履职无关", False),
    ("BASIS_MISSING", "缺少履职依据", False),
    ("SCOPE_EXCESSIVE", "申请范围超出履职需要", False),
    ("DATA_UNAVAILABLE", "数据尚未归集或质量不满足共享条件", False),
]


def create(apps, schema_editor):
    RefusalReason = apps.get_model("share_requests", "RefusalReason")
    for code, label, requires_legal_basis in REASONS:
        RefusalReason.objects.get_or_create(
            code=code, defaults={"label": label, "requires_legal_basis": requires_legal_basis}
        )


class Migration(migrations.Migration):
    dependencies = [("share_requests", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
