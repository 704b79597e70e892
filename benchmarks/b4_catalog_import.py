"""B4: import 10,000 resources × 10 items from an xlsx the benchmark writes (target ≤ 20 s, ≤ 500 MB peak RSS).

The import runs in a fresh child process against the benchmark database, so its peak RSS
(getrusage ru_maxrss, which includes Django itself) is the import's and not the generator's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from benchmarks.harness import bench_database, department, setup_django, sized

RESOURCES, ITEMS_PER_RESOURCE = sized(10_000, 200), 10


def write_workbook(path: str, department_name: str) -> None:
    from openpyxl import Workbook

    from catalog.excel import ITEM_HEADERS, ITEM_SHEET, RESOURCE_HEADERS, RESOURCE_SHEET

    wb = Workbook(write_only=True)
    resources = wb.create_sheet(RESOURCE_SHEET)
    resources.append(RESOURCE_HEADERS)
    items = wb.create_sheet(ITEM_SHEET)
    items.append(ITEM_HEADERS)
    classes = ["无条件共享", "有条件共享", "不予共享"]
    for n in range(RESOURCES):
        code = f"220500-BM-{n:05d}"
        share_class = classes[n % 3]
        resources.append(
            [
                code,
                f"基准测试资源{n}",
                department_name,
                "B4 基准测试数据",
                "城建住房",
                "",
                share_class,
                "仅限政务服务办理使用" if share_class == "有条件共享" else "",
                "LB-B4" if share_class != "无条件共享" else "",
                "",
                n % 4 + 1,
                "政务外网",
                "每日",
                "",
                "" if share_class == "不予共享" else "信息查询接口、批量库表交换",
                "房屋基础库" if n % 10 == 0 else "",
                "否",
                "否",
                None,
            ]
        )
        for i in range(ITEMS_PER_RESOURCE):
            items.append([code, f"信息项{i}", "C", 64, None, "", 4])
    wb.save(path)


def _peak_rss_kb() -> int:
    """This process's own high-water mark. ru_maxrss survives exec on Linux, so after a
    large parent it would report the parent's peak; VmHWM belongs to the new image."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(path: str, db_name: str, actor_id: int) -> None:
    """Runs in the fresh process: import and report seconds and peak RSS as JSON."""
    setup_django()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = db_name
    from catalog.services import import_workbook
    from organizations.models import User

    actor = User.objects.get(pk=actor_id)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = import_workbook(path, actor=actor, department=None)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kb = _peak_rss_kb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss_mb": peak_kb / 1024,
                "ok": result.ok,
                "errors": result.errors[:5],
                "resources": result.resources_created,
                "items": result.items_created,
            }
        )
    )


def run() -> str:
    from django.db import connection

    from catalog.models import LegalBasis
    from organizations.models import User

    importer = department("B4-BM", "基准测试局", short_name="通基准", seal_text="通化市基准测试局")
    LegalBasis.objects.get_or_create(
        code="LB-B4", defaults={"title": "《基准测试条例》", "issuer": "测试", "article": "第一条"}
    )
    actor, _ = User.objects.get_or_create(username="bench-b4", defaults={"department": importer})
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "b4.xlsx")
        write_workbook(path, importer.name)
        size_mb = os.path.getsize(path) / 1024 / 1024
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "benchmarks.settings")}
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.b4_catalog_import",
                "--child",
                path,
                connection.settings_dict["NAME"],
                str(actor.pk),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    if not report["ok"]:
        raise RuntimeError(f"B4 import failed: {report['errors']}")
    return (
        f"B4 catalog import db={connection.vendor} resources={report['resources']} items={report['items']} "
        f"file_mb={size_mb:.1f} seconds={report['seconds']:.1f} cpu_seconds={report['cpu_seconds']:.1f} "
        f"peak_rss_mb={report['peak_rss_mb']:.0f}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        setup_django()
        with bench_database():
            print(run())
