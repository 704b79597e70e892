from django.core.management.base import BaseCommand, CommandError

from pdf_templates.trail import verify_trail


class Command(BaseCommand):
    help = (
        "Check a downloaded trail ZIP: offline, that its manifest, file hashes, records, PDF signatures and audit "
        "events agree; with --online, also against this govshare's database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the trail ZIP")
        parser.add_argument(
            "--online",
            action="store_true",
            help="also compare every record and audit event with this govshare's database, and find missing ones",
        )

    def handle(self, *, file, online, **options):
        report = verify_trail(file, online=online)
        self.stdout.write(
            f"检查文件 {report.checked_files} 个，文书 {report.checked_records} 件（其中电子签名有效 {report.signed} 件），"
            f"审计事件 {report.checked_events} 条。"
        )
        for number in report.pending:
            self.stdout.write(f"提示：{number} 下载时仍在生成中，压缩包中没有其 PDF。")
        for note in report.notes:
            self.stdout.write(f"提示：{note}")
        if report.failures:
            for failure in report.failures:
                self.stderr.write(f"不通过：{failure}")
            raise CommandError(f"文书轨迹核验不通过（{len(report.failures)} 处问题）。")
        if online:
            self.stdout.write(self.style.SUCCESS("文书轨迹核验通过：与本系统数据库中的文书和审计事件一致。"))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    "文书轨迹核验通过（离线）：压缩包内容前后一致。离线核验不能发现整体重算哈希的伪造或从事件间隙删除的事件，"
                    "请在本系统上用 --online 核验，或核对文书的电子签名。"
                )
            )
