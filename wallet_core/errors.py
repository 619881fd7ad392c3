"""The one error tree of wallet_core (DESIGN §5).

Every subclass carries a stable snake_case ``code`` that the UI maps to a translated
message. Messages never contain secrets: no PIN, key, claim value or token. Catch the
branch that fits what you can do about it: ``StorageError`` (the vault), ``CredentialError``
(what a credential or its issuer says), ``ProtocolError`` (what an issuer or verifier asks
or answers), ``NetworkError`` (getting there at all). The tree, class (code), as
tests/test_errors.py keeps it::

    WalletError (wallet_error)
        StorageError (storage_error)
            WrongPinError (wrong_pin)
            LockedOutError (locked_out)
            WeakPinError (weak_pin)
                WeakPassphraseError (weak_passphrase)
            VaultExistsError (vault_exists)
            VaultNotFoundError (vault_not_found)
            VaultBusyError (vault_busy)
            VaultClosedError (vault_closed)
            VaultCorruptError (vault_corrupt)
            BackupError (backup_error)
            NotFoundError (not_found)
        KeyStoreError (key_store_error)
            UnsupportedAlgorithmError (unsupported_algorithm)
        CredentialError (credential_error)
            MalformedCredentialError (malformed_credential)
                UnexpectedTypeError (unexpected_typ)
                UnexpectedCredentialTypeError (unexpected_vct)
                MissingClaimError (missing_claim)
                UnknownContextError (unknown_context)
                UnsignedContentError (unsigned_content)
                InvalidBadgeError (invalid_badge)
                JsonLdLimitError (jsonld_limit)
            InvalidSignatureError (invalid_signature)
                ProofPurposeError (proof_purpose)
            DisclosureError (disclosure_error)
                MalformedDisclosureError (malformed_disclosure)
                DuplicateDigestError (duplicate_digest)
                UnreferencedDisclosureError (unreferenced_disclosure)
                ReservedClaimNameError (reserved_claim_name)
                ClaimCollisionError (claim_collision)
                UnsupportedHashAlgorithmError (unsupported_hash_algorithm)
                UnknownClaimPathError (unknown_claim_path)
                ForbiddenDisclosureError (forbidden_disclosure)
            ExpiredCredentialError (expired_credential)
            RevokedCredentialError (revoked_credential)
            DuplicateCredentialError (duplicate_credential)
            UntrustedIssuerError (untrusted_issuer)
                IssuerMetadataError (issuer_metadata_error)
                IssuerMismatchError (issuer_mismatch)
                UnknownKeyIdError (unknown_key_id)
                CertificateChainError (certificate_chain_error)
                DidResolutionError (did_resolution_error)
            KeyBindingError (key_binding_error)
                MissingKeyBindingError (key_binding_missing)
                UnexpectedKeyBindingError (key_binding_unexpected)
                MissingHolderKeyError (holder_key_missing)
                WrongHolderKeyError (holder_key_mismatch)
                KeyBindingTypeError (key_binding_typ)
                KeyBindingTimeError (key_binding_time)
                KeyBindingAudienceError (key_binding_audience)
                KeyBindingNonceError (key_binding_nonce)
                KeyBindingHashError (key_binding_sd_hash)
            UnsupportedFormatError (unsupported_format)
            UnsupportedProofError (unsupported_proof)
            NotYetValidError (not_yet_valid)
            TypeMetadataError (type_metadata_error)
                IntegrityMismatchError (integrity_mismatch)
                TypeMetadataCycleError (type_metadata_cycle)
            StatusListError (status_list_error)
                StatusIndexError (status_index_out_of_range)
        ProtocolError (protocol_error)
            OfferError (offer_error)
                OfferExpiredError (offer_expired)
            IssuanceError (issuance_error)
                PartialIssuanceError (partial_issuance)
            PresentationRequestError (presentation_request_error)
            UntrustedVerifierError (untrusted_verifier)
            NoMatchingCredentialError (no_matching_credential)
        NetworkError (network_error)
            InsecureUrlError (insecure_url)
            ResponseTooLargeError (response_too_large)
            TimeoutError_ (timeout)
            HttpStatusError (http_status)
            MalformedResponseError (malformed_response)
            UnexpectedContentTypeError (unexpected_content_type)
        QrError (qr_error)
            TooLargeForQrError (too_large_for_qr)
"""

from __future__ import annotations

from typing import Any


class WalletError(Exception):
    """Root of every error wallet_core raises on purpose."""

    code = "wallet_error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code)


# -- storage -----------------------------------------------------------------------------


class StorageError(WalletError):
    code = "storage_error"


class WrongPinError(StorageError):
    code = "wrong_pin"

    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"wrong PIN; {attempts_left} attempt(s) left before a lockout")
        self.attempts_left = attempts_left


class LockedOutError(StorageError):
    code = "locked_out"

    def __init__(self, seconds_left: float) -> None:
        super().__init__(f"too many wrong PINs; try again in {seconds_left:.0f} s")
        self.seconds_left = seconds_left


class WeakPinError(StorageError):
    """The PIN or passphrase does not meet the policy; ``reason`` says which rule."""

    code = "weak_pin"

    def __init__(self, reason: str) -> None:
        super().__init__(f"PIN rejected: {reason}")
        self.reason = reason


class WeakPassphraseError(WeakPinError):
    """A backup passphrase is attackable offline, so it must be longer than a PIN."""

    code = "weak_passphrase"


class VaultExistsError(StorageError):
    code = "vault_exists"


class VaultNotFoundError(StorageError):
    code = "vault_not_found"


class VaultBusyError(StorageError):
    """Another process (or another handle in this one) has the wallet open."""

    code = "vault_busy"


class VaultClosedError(StorageError):
    code = "vault_closed"


class VaultCorruptError(StorageError):
    code = "vault_corrupt"


class BackupError(StorageError):
    code = "backup_error"


class NotFoundError(StorageError):
    """A record asked for by id does not exist."""

    code = "not_found"


# -- keys --------------------------------------------------------------------------------


class KeyStoreError(WalletError):
    code = "key_store_error"


class UnsupportedAlgorithmError(KeyStoreError):
    code = "unsupported_algorithm"


# -- credentials -------------------------------------------------------------------------


class CredentialError(WalletError):
    code = "credential_error"


class MalformedCredentialError(CredentialError):
    code = "malformed_credential"


class InvalidSignatureError(CredentialError):
    code = "invalid_signature"


class ProofPurposeError(InvalidSignatureError):
    """A Data Integrity proof made for another purpose (an issuer's must be
    ``assertionMethod``, a holder's ``authentication``): a valid signature, for something else."""

    code = "proof_purpose"


class DisclosureError(CredentialError):
    code = "disclosure_error"


class ExpiredCredentialError(CredentialError):
    code = "expired_credential"


class RevokedCredentialError(CredentialError):
    code = "revoked_credential"


class DuplicateCredentialError(CredentialError):
    """The credential is already in the wallet (``existing_id`` names it)."""

    code = "duplicate_credential"

    def __init__(self, message: str, existing_id: str) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class UntrustedIssuerError(CredentialError):
    code = "untrusted_issuer"


# SD-JWT processing (RFC 9901 §7.1): one class per rejection rule.


class MalformedDisclosureError(DisclosureError):
    code = "malformed_disclosure"


class DuplicateDigestError(DisclosureError):
    code = "duplicate_digest"


class UnreferencedDisclosureError(DisclosureError):
    code = "unreferenced_disclosure"


class ReservedClaimNameError(DisclosureError):
    """A disclosure names a claim ``_sd`` or ``...``."""

    code = "reserved_claim_name"


class ClaimCollisionError(DisclosureError):
    code = "claim_collision"


class UnsupportedHashAlgorithmError(DisclosureError):
    code = "unsupported_hash_algorithm"


class UnknownClaimPathError(DisclosureError):
    """The holder asked to disclose a claim path the credential does not have."""

    code = "unknown_claim_path"


class ForbiddenDisclosureError(DisclosureError):
    """A claim that must always be visible (SD-JWT VC: iss, vct, cnf, ...) was made disclosable."""

    code = "forbidden_disclosure"


class KeyBindingError(CredentialError):
    code = "key_binding_error"


class MissingKeyBindingError(KeyBindingError):
    code = "key_binding_missing"


class UnexpectedKeyBindingError(KeyBindingError):
    """A holder received an SD-JWT+KB from an issuer (RFC 9901 §7.2)."""

    code = "key_binding_unexpected"


class MissingHolderKeyError(KeyBindingError):
    code = "holder_key_missing"


class WrongHolderKeyError(KeyBindingError):
    """The credential's ``cnf`` names a key other than the one the wallet made for it."""

    code = "holder_key_mismatch"


class KeyBindingTypeError(KeyBindingError):
    code = "key_binding_typ"


class KeyBindingTimeError(KeyBindingError):
    code = "key_binding_time"


class KeyBindingAudienceError(KeyBindingError):
    code = "key_binding_audience"


class KeyBindingNonceError(KeyBindingError):
    code = "key_binding_nonce"


class KeyBindingHashError(KeyBindingError):
    code = "key_binding_sd_hash"


class UnexpectedTypeError(MalformedCredentialError):
    """The JOSE ``typ`` header is not the one the format requires."""

    code = "unexpected_typ"


class UnexpectedCredentialTypeError(MalformedCredentialError):
    """The credential is of another type (``vct``) than the one asked for."""

    code = "unexpected_vct"


class MissingClaimError(MalformedCredentialError):
    code = "missing_claim"


class UnknownContextError(MalformedCredentialError):
    """A JSON-LD ``@context`` the wallet has no pinned copy of (nothing is fetched)."""

    code = "unknown_context"


class UnsignedContentError(MalformedCredentialError):
    """A JSON-LD credential with members its contexts do not define: the signature does
    not cover them."""

    code = "unsigned_content"


class InvalidBadgeError(MalformedCredentialError):
    """A credential that says it is an Open Badge but lacks the OB 3.0 structure."""

    code = "invalid_badge"


class JsonLdLimitError(MalformedCredentialError):
    """A JSON-LD document too large, too deep or too costly to canonicalize."""

    code = "jsonld_limit"


class UnsupportedFormatError(CredentialError):
    """A credential format the wallet knows of but cannot hold (yet)."""

    code = "unsupported_format"


class UnsupportedProofError(CredentialError):
    """A credential whose proofs are all of suites the wallet does not check (or none)."""

    code = "unsupported_proof"


class NotYetValidError(CredentialError):
    code = "not_yet_valid"


class TypeMetadataError(CredentialError):
    code = "type_metadata_error"


class IntegrityMismatchError(TypeMetadataError):
    """A fetched document does not match its ``#integrity`` (SRI) digest."""

    code = "integrity_mismatch"


class TypeMetadataCycleError(TypeMetadataError):
    code = "type_metadata_cycle"


class StatusListError(CredentialError):
    code = "status_list_error"


class StatusIndexError(StatusListError):
    code = "status_index_out_of_range"


class IssuerMetadataError(UntrustedIssuerError):
    code = "issuer_metadata_error"


class IssuerMismatchError(UntrustedIssuerError):
    code = "issuer_mismatch"


class UnknownKeyIdError(UntrustedIssuerError):
    code = "unknown_key_id"


class CertificateChainError(UntrustedIssuerError):
    code = "certificate_chain_error"


class DidResolutionError(UntrustedIssuerError):
    code = "did_resolution_error"


# -- protocols ---------------------------------------------------------------------------


class ProtocolError(WalletError):
    code = "protocol_error"


class OfferError(ProtocolError):
    code = "offer_error"


class OfferExpiredError(OfferError):
    """The offer is gone: expired, or used already. Only the institution can make a new one.

    Raised when an offer by reference is no longer there (404, 410), and when the token
    endpoint answers ``invalid_grant`` to a pre-authorized code sent without a transaction
    code (RFC 6749 §5.2: the grant is "invalid, expired, revoked"). With a transaction code
    the same answer may mean a wrong code, so that stays an ``IssuanceError``."""

    code = "offer_expired"


class IssuanceError(ProtocolError):
    """Carries the OAuth / OpenID4VCI error code the issuer answered with, if any."""

    code = "issuance_error"

    def __init__(self, message: str = "", oauth_error: str | None = None) -> None:
        super().__init__(message)
        self.oauth_error = oauth_error


class PartialIssuanceError(IssuanceError):
    """An offer of several credentials was only partly received.

    ``received`` holds what was stored (or is pending); ``failures`` the error of each
    configuration that failed, by configuration id. Nothing of a failed one was stored.
    """

    code = "partial_issuance"

    def __init__(self, received: list[Any], failures: dict[str, WalletError], offered: int) -> None:
        super().__init__(f"{len(received)} of {offered} credentials received")
        self.received = received
        self.failures = failures
        self.offered = offered


class PresentationRequestError(ProtocolError):
    code = "presentation_request_error"


class UntrustedVerifierError(ProtocolError):
    code = "untrusted_verifier"


class NoMatchingCredentialError(ProtocolError):
    code = "no_matching_credential"


# -- network -----------------------------------------------------------------------------


class NetworkError(WalletError):
    code = "network_error"


class InsecureUrlError(NetworkError):
    code = "insecure_url"


class ResponseTooLargeError(NetworkError):
    code = "response_too_large"


class TimeoutError_(NetworkError):  # trailing underscore: the builtin name is taken
    code = "timeout"


class HttpStatusError(NetworkError):
    """The server answered with an unexpected HTTP status."""

    code = "http_status"

    def __init__(self, message: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class MalformedResponseError(NetworkError):
    """The server answered, but not with the JSON (or other format) the protocol requires."""

    code = "malformed_response"


class UnexpectedContentTypeError(NetworkError):
    code = "unexpected_content_type"


class QrError(WalletError):
    code = "qr_error"


class TooLargeForQrError(QrError):
    """The presentation does not fit in a QR code (a W3C credential goes whole)."""

    code = "too_large_for_qr"
