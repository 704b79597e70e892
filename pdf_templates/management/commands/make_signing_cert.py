from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pdf_templates.signing import CERT_FILE, KEY_FILE, make_self_signed_pair


class Command(BaseCommand):
    help = "Create a self-signed key and certificate for signing records (demo and tests; not for production)."

    def add_arguments(self, parser):
        default_dir = Path(settings.VAR_DIR) / "signing"
        parser.add_argument("--key", default=str(default_dir / KEY_FILE))
        parser.add_argument("--cert", default=str(default_dir / CERT_FILE))
        parser.add_argument("--common-name", default="govshare 文书签发（自签名演示证书）")
        parser.add_argument("--days", type=int, default=3650)
        parser.add_argument("--force", action="store_true", help="overwrite existing files")

    def handle(self, *, key, cert, common_name, days, force, **options):
        key_path, cert_path = Path(key), Path(cert)
        if not force and (key_path.exists() or cert_path.exists()):
            raise CommandError(f"{key_path} 或 {cert_path} 已存在；如需覆盖请加 --force。")
        make_self_signed_pair(key_path, cert_path, common_name=common_name, days=days)
        self.stdout.write(self.style.SUCCESS(f"已生成签名密钥 {key_path} 和证书 {cert_path}。"))
        self.stdout.write(f"启用签名：export RECORDS_SIGNING_KEY={key_path} RECORDS_SIGNING_CERT={cert_path}")
