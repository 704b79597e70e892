from django.core.management.base import BaseCommand

from pdf_templates import services


class Command(BaseCommand):
    help = "Render every record still 生成中 (pending). Safe to run any time, and twice."

    def handle(self, **options):
        ids = services.pending_record_ids()
        done = already = failed = 0
        for record_id in ids:
            try:
                record, rendered_here = services.render_record_once(record_id=record_id)
            except Exception as exc:
                failed += 1
                self.stderr.write(f"文书 #{record_id} 生成失败：{exc.__class__.__name__}: {exc}")
                continue
            if rendered_here:
                done += 1
                self.stdout.write(f"已生成 {record.number}")
            else:  # another worker rendered it after the listing
                already += 1
                self.stdout.write(f"{record.number} 已由其他进程生成")
        self.stdout.write(
            f"待生成 {len(ids)} 件，本次生成 {done} 件，已由其他进程生成 {already} 件，失败 {failed} 件。"
        )
        if failed:
            raise SystemExit(1)
