"""Building share applications in tests, through the services."""

from __future__ import annotations

import datetime as dt

from requests.services import GrantTerms, application_create, application_submit

START, END = dt.date(2026, 3, 1), dt.date(2026, 12, 31)


def application_data(**overrides):
    data = {
        "scenario": "户籍迁入住所核验",
        "business_matter": "户口迁入登记",
        "purposes": ["fewer_materials"],
        "share_method": "bulk_exchange",
        "period_start": START,
        "period_end": END,
        "call_volume": "每日约 200 次",
        "need_legal_basis": "《户口登记条例》第十三条",
        "applied_before": False,
        "earlier_outcome": "",
    }
    data.update(overrides)
    return data


def make_application(applicant, resource, *, items=None, submit=True, **data):
    items = list(resource.items.all()) if items is None else items
    if "share_method" not in data:
        data["share_method"] = (resource.share_methods or ["query_api"])[0]
    application = application_create(actor=applicant, resource=resource, data=application_data(**data), items=items)
    if submit:
        application = application_submit(actor=applicant, obj=application)
    return application


def full_terms(application, **overrides):
    values = {
        "items": list(application.items.all()),
        "share_method": application.share_method,
        "period_start": application.period_start,
        "period_end": application.period_end,
        "conditions": "仅用于住房保障资格审核",
        "standard_clauses": ["purpose_only", "no_onward_sharing"],
        "adjustment_reason": "其余部分超出办理事项的需要。",  # kept only when the terms are partial
    }
    values.update(overrides)
    return GrantTerms(**values)
