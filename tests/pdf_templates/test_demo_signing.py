"""In development the demo makes its own signing pair under var/signing/, once, and records are signed with
it, so a newcomer sees signed records and a valid signature on /verify/; never in production."""

import io
import os
import subprocess
import sys
from pathlib import Path

from django.core.files.base import ContentFile

from pdf_templates import demo
from pdf_templates.models import Record
from pdf_templates.signing import CERT_FILE, KEY_FILE, signing_configured, signing_pair

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_demo_makes_a_pair_once_and_records_are_signed_with_it(settings, tmp_path, issue, client):
    settings.RECORDS_SIGNING_DEMO_DIR = tmp_path / "signing"
    assert not signing_configured()
    first, second = io.StringIO(), io.StringIO()

    demo.signing_pair(stdout=first)
    key, cert = tmp_path / "signing" / KEY_FILE, tmp_path / "signing" / CERT_FILE
    made = key.read_bytes(), cert.read_bytes()
    demo.signing_pair(stdout=second)

    assert "已生成" in first.getvalue() and "沿用" in second.getvalue()
    assert (key.read_bytes(), cert.read_bytes()) == made  # kept, not made again
    assert key.stat().st_mode & 0o777 == 0o600
    assert signing_configured()

    record = issue(render=True)
    assert record.signature_status == Record.SignatureStatus.SIGNED
    upload = ContentFile(record.pdf.read(), name="record.pdf")
    body = client.post(f"/verify/{record.verification_code}", {"file": upload}).content.decode()
    assert 'data-outcome="match"' in body
    assert "电子签名有效（PAdES，本平台发文证书）" in body


def test_a_configured_pair_comes_before_the_demo_s(settings, tmp_path, signing):
    key, cert = signing
    settings.RECORDS_SIGNING_DEMO_DIR = tmp_path / "signing"
    demo.signing_pair(stdout=io.StringIO())
    assert signing_pair() == (str(key), str(cert))


def test_without_the_demo_folder_it_makes_nothing_and_records_stay_unsigned(settings, tmp_path, issue):
    settings.RECORDS_SIGNING_DEMO_DIR = None
    out = io.StringIO()
    demo.signing_pair(stdout=out)
    assert out.getvalue() == "" and not signing_configured()
    assert issue(render=True).signature_status == Record.SignatureStatus.UNSIGNED


def _demo_folder(var: Path, **env: str) -> str:
    """settings.RECORDS_SIGNING_DEMO_DIR as project/settings.py computes it in this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "RECORDS_SIGNING", "SECRET_KEY"))}
    code = "import project.settings as s; print(s.RECORDS_SIGNING_DEMO_DIR)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "GOVSHARE_VAR_DIR": str(var), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_only_development_without_a_configured_pair_uses_the_demo_folder(tmp_path):
    assert _demo_folder(tmp_path, DEBUG="1") == str(tmp_path / "signing")
    assert _demo_folder(tmp_path, DEBUG="0", SECRET_KEY="k" * 50) == "None"
    assert _demo_folder(tmp_path, DEBUG="1", RECORDS_SIGNING_KEY="/k.pem", RECORDS_SIGNING_CERT="/c.pem") == "None"
