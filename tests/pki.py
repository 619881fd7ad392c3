"""A throwaway PKI for tests: a root, an intermediate and leaf certificates under them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from wallet_core.clock import ManualClock

NOW = ManualClock().now()
_NOW = dt.datetime.fromtimestamp(NOW, dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _usage(*, sign: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


class Pki:
    """A root, an intermediate and the means to issue leaf certificates under them, valid
    around ``around`` (the tests' ManualClock start; the real time for a peer that reads
    the system clock)."""

    def __init__(self, label: str = "Edu", *, around: dt.datetime = _NOW) -> None:
        self.around = around
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = self._ca(self.root_key, f"{label} Root", None, None, around)
        self.inter_key = ec.generate_private_key(ec.SECP256R1())
        self.inter = self._ca(
            self.inter_key, f"{label} Issuing CA", self.root, self.root_key, around
        )

    @staticmethod
    def _ca(
        key: ec.EllipticCurvePrivateKey,
        name: str,
        parent: x509.Certificate | None,
        parent_key: ec.EllipticCurvePrivateKey | None,
        around: dt.datetime,
    ) -> x509.Certificate:
        signing_key = parent_key or key
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(parent.subject if parent else _name(name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(around - dt.timedelta(days=30))
            .not_valid_after(around + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
                critical=False,
            )
        )
        return builder.sign(signing_key, hashes.SHA256())

    @staticmethod
    def self_signed(
        key: ec.EllipticCurvePrivateKey,
        names: Sequence[x509.GeneralName],
        *,
        subject: str = "Werkgever Demo",
        days: int = 365,
        around: dt.datetime = _NOW,
    ) -> x509.Certificate:
        """A verifier's own certificate, signed by its own key (what x509_hash pins)."""
        return (
            x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(_name(subject))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(around - dt.timedelta(days=1))
            .not_valid_after(around + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )

    def leaf(
        self,
        public_key: Any,
        names: Sequence[x509.GeneralName],
        *,
        days: int = 365,
        usage: x509.KeyUsage | None = None,
        eku: Sequence[x509.ObjectIdentifier] = (),
        subject: str = "Hogeschool Demo",
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(self.inter.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.around - dt.timedelta(days=1))
            .not_valid_after(self.around + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.inter_key.public_key()),
                critical=False,
            )
            .add_extension(usage or _usage(sign=True), critical=True)
        )
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        return builder.sign(self.inter_key, hashes.SHA256())
