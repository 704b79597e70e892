from django.core import checks
from django.utils import timezone

from workflows.workcalendar import official_calendar_knows


@checks.register()
def check_official_calendar_years(app_configs, **kwargs):
    """Deadlines run up to a year ahead; warn for a year with no official calendar."""
    this_year = timezone.localdate().year
    return [
        checks.Warning(
            f"chinese-calendar 没有 {year} 年的放假安排：该年工作日暂按周一至周五、扣除法定节假日当天计算"
            f"（不含补假和调休上班），请在“工作日历调整”中录入已公布的 {year} 年放假和调休安排，"
            f"或升级 chinesecalendar 包。",
            hint=f"在管理后台“工作日历调整”中逐日录入 {year} 年的放假日和调休上班日；或升级 chinesecalendar 包后重启服务。",
            id="workflows.W001",
        )
        for year in (this_year, this_year + 1)
        if not official_calendar_knows(year)
    ]
