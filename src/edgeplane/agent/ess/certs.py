"""The ESS's own PKI: a CA that workloads trust (``HZN_ESS_CERT``) and a server certificate it signs.

Generated once with ``cryptography`` into the agent's data dir; private keys are written 0600 and never
leave it. The server certificate's DNS names (SANs) are a parameter: ``localhost`` for the unix socket
on a device; ``agent-service``, ``agent-service.<ns>.svc``, ``...svc.cluster.local`` for a cluster agent.
When the SANs asked for change, the server certificate is reissued under the same CA, so workloads keep
trusting it.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Key = ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def ensure(directory: Path, sans: list[str], *, days: int = 3650) -> TlsFiles:
    """Create (or reuse) the CA and a server certificate for ``sans`` under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    ca_key_path = directory / "ca-key.pem"
    if not (files.ca_cert.exists() and ca_key_path.exists()):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        _write(files.ca_cert, _ca_cert(ca_key, days).public_bytes(serialization.Encoding.PEM), 0o644)
        _write(ca_key_path, _pem_key(ca_key), 0o600)
    if not (files.server_key.exists() and _cert_sans(files.server_cert) == set(sans)):
        ca_key = _load_key(ca_key_path)
        ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _server_cert(key, ca, ca_key, sans, days)
        _write(files.server_key, _pem_key(key), 0o600)
        _write(files.server_cert, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return files


def _ca_cert(key: Key, days: int) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edgeplane agent ESS CA")])
    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))


def _server_cert(key: Key, ca: x509.Certificate, ca_key: Key, sans: list[str], days: int) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, sans[0] if sans else "localhost")])
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([_general_name(s) for s in sans]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))


def _general_name(san: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(san))
    except ValueError:
        return x509.DNSName(san)


def _cert_sans(path: Path) -> set[str] | None:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return None
    return {str(n.value) for n in names}


def _pem_key(key: Key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _load_key(path: Path) -> Key:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} is not an EC private key")
    return key


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write via a temp file created with ``mode`` (a key is never readable by others, even briefly)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
