from django.contrib import admin

from dashboard.models import Bulletin, DailyFigure, ScoreWeights
from organizations.admin import ReadOnlyAdmin


@admin.register(DailyFigure)
class DailyFigureAdmin(ReadOnlyAdmin):
    list_display = ["day", "measure", "department", "key", "value", "computed_at"]
    list_filter = ["measure"]
    date_hierarchy = "day"


@admin.register(ScoreWeights)
class ScoreWeightsAdmin(ReadOnlyAdmin):
    list_display = ["version", *ScoreWeights.MEASURES, "note", "created_by", "created_at"]


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ["title", "period_start", "period_end", "state", "scheduled", "record", "issued_at"]
    list_filter = ["state", "scheduled"]
