import logging

from celery import shared_task

from pdf_templates import services

logger = logging.getLogger(__name__)


@shared_task(
    name="pdf_templates.tasks.render_record_task",
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
    acks_late=True,
)
def render_record_task(record_id: int) -> str:
    """Render one record. Running it twice renders once: the row remembers it is done."""
    return services.render_record(record_id=record_id).render_status


@shared_task(name="pdf_templates.tasks.render_pending_records")
def render_pending_records() -> dict[str, int]:
    """Beat sweep: anything still 生成中 (a lost message, a broker outage) is rendered here.

    `rendered` counts the records this run rendered; one another worker rendered after the listing
    is `already` (rendered, not by us)."""
    done = already = failed = 0
    for record_id in services.pending_record_ids():
        try:
            _, rendered_here = services.render_record_once(record_id=record_id)
        except Exception:
            logger.exception("Rendering record %s failed; it stays pending.", record_id)
            failed += 1
            continue
        if rendered_here:
            done += 1
        else:
            already += 1
    return {"rendered": done, "already": already, "failed": failed}
