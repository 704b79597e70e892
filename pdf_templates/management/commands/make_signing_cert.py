import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def make_self_signed_pair(key_path: Path, cert_path: Path, *, common_name: str, days: int) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "govshare"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


class Command(BaseCommand):
    help = "Create a self-signed key and certificate for signing records (demo and tests; not for production)."

    def add_arguments(self, parser):
        default_dir = Path(settings.VAR_DIR) / "signing"
        parser.add_argument("--key", default=str(default_dir / "records-key.pem"))
        parser.add_argument("--cert", default=str(default_dir / "records-cert.pem"))
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
