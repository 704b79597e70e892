"""PAdES baseline-B signing and offline validation with pyHanko.

Validation never fetches anything: no OCSP, no CRL, no AIA. A verifier years
later has the file and, at most, our certificate.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

# The file names `manage.py make_signing_cert` writes by default and the demo's pair has.
KEY_FILE = "records-key.pem"
CERT_FILE = "records-cert.pem"


def signing_pair() -> tuple[str, str] | None:
    """The key and certificate records are signed with: those configured, or in development the demo's pair
    once `load_demo` has made it (settings.RECORDS_SIGNING_DEMO_DIR); None: records are unsigned."""
    if settings.RECORDS_SIGNING_KEY and settings.RECORDS_SIGNING_CERT:
        return str(settings.RECORDS_SIGNING_KEY), str(settings.RECORDS_SIGNING_CERT)
    folder = settings.RECORDS_SIGNING_DEMO_DIR
    if folder is not None and (Path(folder) / KEY_FILE).exists() and (Path(folder) / CERT_FILE).exists():
        return str(Path(folder) / KEY_FILE), str(Path(folder) / CERT_FILE)
    return None


def signing_configured() -> bool:
    return signing_pair() is not None


def make_self_signed_pair(key_path: Path, cert_path: Path, *, common_name: str, days: int) -> None:
    """A new RSA key (readable by its owner only) and a self-signed certificate for it, as PEM files."""
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


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko parses and re-validates the private key for every signature it makes,
    about 40 ms for RSA-2048, and signing makes two (a dry run sizes the signature
    field). Parse it once per process instead."""

    _private_key = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        if self._private_key is None:
            self._private_key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
        return self._private_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


@lru_cache(maxsize=4)
def _signer(key_path: str, cert_path: str, passphrase: str) -> signers.SimpleSigner:
    loaded = signers.SimpleSigner.load(key_path, cert_path, key_passphrase=passphrase.encode() or None)
    if loaded is None:
        raise RuntimeError(f"无法读取签名密钥或证书：{key_path} / {cert_path}")
    return _LoadedKeySigner(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
        signature_mechanism=loaded.signature_mechanism,
    )


def sign_pdf(pdf: bytes, *, field_name: str, reason: str = "") -> bytes:
    pair = signing_pair()
    if pair is None:
        raise RuntimeError("未配置文书签名密钥和证书（RECORDS_SIGNING_KEY、RECORDS_SIGNING_CERT）。")
    signer = _signer(*pair, settings.RECORDS_SIGNING_KEY_PASSPHRASE)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason or None
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


@dataclass
class SignatureCheck:
    """What a person needs to know about the signatures in one PDF."""

    present: bool = False
    valid: bool = False
    trusted: bool = False
    fields: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if not self.present:
            return "未附电子签名"
        if not self.valid:
            return "电子签名无效：" + "；".join(self.problems)
        if not self.trusted:
            return "电子签名完整有效，但签名证书不是本平台的发文证书"
        return "电子签名有效（PAdES，本平台发文证书）"


def _trust_roots() -> list[asn1_x509.Certificate]:
    pair = signing_pair()
    path = pair[1] if pair else ""
    if not path or not Path(path).exists():
        return []
    from pyhanko.keys import load_cert_from_pemder

    return [load_cert_from_pemder(path)]


def check_signatures(pdf: bytes) -> SignatureCheck:
    """Validate every embedded signature offline; the whole file must be covered."""
    result = SignatureCheck()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # a damaged or non-PDF file: nothing to validate
        result.problems.append(f"无法解析 PDF：{exc.__class__.__name__}")
        return result
    if not embedded:
        return result
    result.present = True
    # Each signature costs hashing the file and validating a certificate chain: ours carry one.
    if len(embedded) > settings.VERIFY_MAX_SIGNATURES:
        result.problems.append(f"签名域过多（{len(embedded)} 个），不予校验")
        return result
    roots = _trust_roots()
    valid = trusted = True
    for sig in embedded:
        result.fields.append(sig.field_name)
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail", other_certs=[]
        )
        try:
            status = validate_pdf_signature(sig, context)
        except Exception as exc:
            valid = False
            result.problems.append(f"签名域 {sig.field_name} 校验出错：{exc.__class__.__name__}")
            continue
        if not (status.intact and status.valid):
            valid = False
            result.problems.append(f"签名域 {sig.field_name} 的内容与签名不符（文件被修改）")
        elif status.coverage.name != "ENTIRE_FILE":
            valid = False
            result.problems.append(f"签名域 {sig.field_name} 签名后文件又被追加修改")
        if not status.trusted:
            trusted = False
    result.valid = valid
    result.trusted = valid and trusted and bool(roots)
    return result
