from django.core.management.base import BaseCommand, CommandError

from pdf_templates.trail import verify_trail


class Command(BaseCommand):
    help = (
        "Check a downloaded trail ZIP offline: manifest, file hashes, records, PDF signatures and audit event hashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the trail ZIP")

    def handle(self, *, file, **options):
        report = verify_trail(file)
        self.stdout.write(
            f"检查文件 {report.checked_files} 个，文书 {report.checked_records} 件（其中电子签名有效 {report.signed} 件），"
            f"审计事件 {report.checked_events} 条。"
        )
        for number in report.pending:
            self.stdout.write(f"提示：{number} 下载时仍在生成中，压缩包中没有其 PDF。")
        if report.failures:
            for failure in report.failures:
                self.stderr.write(f"不通过：{failure}")
            raise CommandError(f"文书轨迹核验不通过（{len(report.failures)} 处问题）。")
        self.stdout.write(self.style.SUCCESS("文书轨迹核验通过。"))
