"""PAdES baseline-B signing and offline validation with pyHanko.

Validation never fetches anything: no OCSP, no CRL, no AIA. A verifier years
later has the file and, at most, our certificate.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def signing_configured() -> bool:
    return bool(settings.RECORDS_SIGNING_KEY and settings.RECORDS_SIGNING_CERT)


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
    signer = _signer(
        str(settings.RECORDS_SIGNING_KEY), str(settings.RECORDS_SIGNING_CERT), settings.RECORDS_SIGNING_KEY_PASSPHRASE
    )
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
    path = settings.RECORDS_SIGNING_CERT
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
