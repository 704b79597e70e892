from django.core.management.base import BaseCommand, CommandError

from organizations.models import Department
from requests.services.grants import GrantError, api_token_issue


class Command(BaseCommand):
    help = "签发授权核验接口（/api/grants/check）的令牌。令牌只在此输出一次，数据库只保存其 SHA-256。"

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="所属部门编码，如 TH-ZS")
        parser.add_argument("--name", required=True, help="调用系统的名称，如 市政务数据交换平台")

    def handle(self, *args, department: str, name: str, **options):
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            raise CommandError(f"未找到部门编码为“{department}”的部门。")
        try:
            token, raw = api_token_issue(department=dept, name=name)
        except GrantError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"已为 {dept.name} 的“{token.name}”签发令牌（前缀 {token.prefix}）。令牌只显示这一次：")
        # The token alone on stdout, so a script can capture it.
        self.stdout.write(raw)
