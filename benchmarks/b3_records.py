"""B3: one-page stamped record: render + hash + seal + sign (target: ≤ 250 ms median, ≤ 150 KB).

Run alone: python -m benchmarks.b3_records. Uses the harness's throwaway database
and a temporary self-signed key, so the figures include PAdES signing.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.harness import department, sized

RUNS = sized(30, 3)
BATCH = sized(200, 5)


def run() -> str:
    """Runs inside benchmarks.harness.bench_database (python -m benchmarks)."""
    from django.conf import settings
    from django.db import transaction

    from pdf_templates.demo import samples
    from pdf_templates.rendering import render_record_pdf
    from pdf_templates.services import issue_record, render_record
    from pdf_templates.signing import make_self_signed_pair

    with tempfile.TemporaryDirectory() as folder:
        key, cert = Path(folder, "key.pem"), Path(folder, "cert.pem")
        make_self_signed_pair(key, cert, common_name="bench", days=2)
        settings.RECORDS_SIGNING_KEY, settings.RECORDS_SIGNING_CERT = str(key), str(cert)
        settings.MEDIA_ROOT = Path(folder, "media")
        issuer = department(
            "B3-ZS", "市政数局（B3）", short_name="通政数", seal_text="通化市政务服务和数字化建设管理局"
        )
        subject = department("B3-GA", "市公安局（B3）", short_name="通公", seal_text="通化市公安局")
        type_, _, _, _, title, addressee, data = samples()[0]

        def issue():
            with transaction.atomic():
                return issue_record(
                    type=type_, subject=subject, issuer=issuer, data=data, actor=None, title=title, addressee=addressee
                )

        record = issue()
        render_record_pdf(record)  # warm up fonts and caches
        timings, sizes = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            pdf = render_record_pdf(record)
            timings.append((time.perf_counter() - started) * 1000)
            sizes.append(len(pdf.content))
        for _ in range(BATCH):
            render_record(record_id=issue().pk)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (
        f"B3 record render median_ms={statistics.median(timings):.0f} size_kb={statistics.median(sizes) / 1024:.0f} "
        f"peak_rss_mb_{BATCH}={peak_kb / 1024:.0f} signed=1 font_faces=1"
    )


if __name__ == "__main__":
    from benchmarks.harness import bench_database, setup_django

    setup_django()
    with bench_database():
        print(run())
