from django.core.management.base import BaseCommand

from pdf_templates import services


class Command(BaseCommand):
    help = "Render every record still 生成中 (pending). Safe to run any time, and twice."

    def handle(self, **options):
        ids = services.pending_record_ids()
        failed = 0
        for record_id in ids:
            try:
                record = services.render_record(record_id=record_id)
                self.stdout.write(f"已生成 {record.number}")
            except Exception as exc:
                failed += 1
                self.stderr.write(f"文书 #{record_id} 生成失败：{exc.__class__.__name__}: {exc}")
        self.stdout.write(f"待生成 {len(ids)} 件，成功 {len(ids) - failed} 件，失败 {failed} 件。")
        if failed:
            raise SystemExit(1)
