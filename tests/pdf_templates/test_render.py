import pytest
from django.core.management import call_command

from pdf_templates import services
from pdf_templates.models import Record, RecordType
from pdf_templates.rendering import missing_glyph_fonts, record_html, render_record_pdf
from pdf_templates.signing import check_signatures
from pdf_templates.tasks import render_pending_records, render_record_task
from tests.pdf_templates.conftest import pdf_text


@pytest.mark.parametrize("record_type", RecordType.values)
def test_it_renders_each_layout_with_no_missing_glyphs(issue, record_type):
    record = issue(record_type, render=True)
    content = record.pdf.read()
    assert content.startswith(b"%PDF")
    assert missing_glyph_fonts(content) == []
    text = pdf_text(content)
    for expected in (record.title, record.number, "市公安局：", "通化市住房和城乡建设局"):
        assert expected in text.replace("\n", "")
    assert record.data_sha256[:4] in text
    assert record.signature_status == Record.SignatureStatus.UNSIGNED
    assert "本文书未附电子签名" in text.replace("\n", "")


def test_it_detects_missing_glyphs(issue):
    record = issue(data={"body": ["含有字体中没有的字符：\U0001fae8\U0001fae9"]}, render=True)
    assert missing_glyph_fonts(record.pdf.read()) != []


def test_it_draws_the_seal_and_the_qr_code_into_the_page(issue):
    record = issue()
    html = record_html(record, will_sign=False)
    assert html.count('transform="rotate(') == len(record.issuer.seal_text)
    assert "数据共享审核专用章" in html
    assert "data:image/svg+xml" in html
    assert f"https://govshare.example/verify/{record.verification_code}" in html


def test_it_gives_the_same_data_hash_when_rendered_again(issue):
    record = issue(render=True)
    first_hash = record.data_sha256
    again = render_record_pdf(record)
    record.refresh_from_db()
    assert record.data_sha256 == first_hash
    assert record.data_sha256[:4] in pdf_text(again.content)
    assert record.data_sha256 == services.sha256_hex(record.snapshot)


def test_it_renders_once_when_the_task_runs_twice(issue, media_root):
    record = issue()
    render_record_task.apply(args=[record.pk]).get()
    first = Record.objects.get(pk=record.pk)
    render_record_task.apply(args=[record.pk]).get()
    second = Record.objects.get(pk=record.pk)
    assert first.render_status == Record.RenderStatus.RENDERED
    assert (second.pdf.name, second.pdf_sha256, second.render_attempts) == (first.pdf.name, first.pdf_sha256, 1)
    assert len(list((media_root / "records").rglob("*.pdf"))) == 1
    assert Record.objects.count() == 1


def test_it_keeps_a_record_whose_render_failed_and_renders_it_later(issue, monkeypatch, media_root):
    record = issue()

    def broken(record):
        raise OSError("disk full")

    monkeypatch.setattr("pdf_templates.rendering.render_record_pdf", broken)
    with pytest.raises(OSError):
        services.render_record(record_id=record.pk)
    failed = Record.objects.get(pk=record.pk)
    assert failed.render_status == Record.RenderStatus.PENDING
    assert failed.render_attempts == 1 and "disk full" in failed.last_error
    assert render_pending_records() == {"rendered": 0, "already": 0, "failed": 1}
    monkeypatch.undo()
    call_command("render_pending_records")
    done = Record.objects.get(pk=record.pk)
    assert done.render_status == Record.RenderStatus.RENDERED and done.last_error == ""
    assert done.number == record.number and done.data_sha256 == record.data_sha256


PENDING_RECORD_IDS = services.pending_record_ids


def _rendered_elsewhere_after_the_listing(monkeypatch, record):
    """Another worker renders `record` between the sweep's listing and its turn."""

    def listed():
        ids = PENDING_RECORD_IDS()
        services.render_record(record_id=record.pk)
        return ids

    monkeypatch.setattr(services, "pending_record_ids", listed)


def test_the_sweep_counts_only_the_records_it_rendered_itself(issue, monkeypatch, media_root, capsys):
    mine, theirs = issue(), issue()
    _rendered_elsewhere_after_the_listing(monkeypatch, theirs)
    assert render_pending_records() == {"rendered": 1, "already": 1, "failed": 0}
    assert Record.objects.get(pk=mine.pk).is_rendered
    assert Record.objects.get(pk=theirs.pk).render_attempts == 1  # rendered once, by the other worker
    assert services.render_record_once(record_id=mine.pk) == (Record.objects.get(pk=mine.pk), False)

    mine, theirs = issue(), issue()
    _rendered_elsewhere_after_the_listing(monkeypatch, theirs)
    call_command("render_pending_records")
    out = capsys.readouterr().out
    assert f"已生成 {mine.number}" in out and f"已生成 {theirs.number}" not in out
    assert f"{theirs.number} 已由其他进程生成" in out
    assert "待生成 2 件，本次生成 1 件，已由其他进程生成 1 件，失败 0 件。" in out


def test_it_retries_the_task_on_failure_and_leaves_the_record_pending(issue, monkeypatch):
    record = issue()
    calls = []

    def storage_down(record):
        calls.append(record.pk)
        raise OSError("storage down")

    monkeypatch.setattr("pdf_templates.rendering.render_record_pdf", storage_down)
    result = render_record_task.apply(args=[record.pk])
    assert result.failed()
    # Eager mode runs the retries at once: the first try plus max_retries.
    assert len(calls) == 1 + render_record_task.max_retries
    failed = Record.objects.get(pk=record.pk)
    assert failed.render_status == Record.RenderStatus.PENDING
    assert failed.render_attempts == len(calls)


def test_it_signs_with_pades_when_a_key_is_configured(issue, signing):
    record = issue(render=True)
    content = record.pdf.read()
    assert record.signature_status == Record.SignatureStatus.SIGNED
    assert record.signature_field == "市住建局（TH-ZJ）"
    check = check_signatures(content)
    assert check.present and check.valid and check.trusted, check.problems
    assert check.fields == ["市住建局（TH-ZJ）"]
    assert b"/ETSI.CAdES.detached" in content
    assert "本文书附有发文机关电子签名" in pdf_text(content).replace("\n", "")


def test_it_prints_the_issuer_and_seal_as_issued_even_if_the_department_is_renamed_before_rendering(issue):
    record = issue()
    issued_name = record.issuer.seal_text
    record.issuer.seal_text = "改名后的单位全称"
    record.issuer.save()

    html = record_html(record, will_sign=False)

    assert issued_name in html and "改名后的单位全称" not in html
    assert record.content["issuer"]["seal_text"] == issued_name  # in the hashed snapshot
