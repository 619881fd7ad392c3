"""Keeping what the wallet knows current: credential status, type metadata, and the
endorsements a badge carries that could not be checked when it arrived.

All are fetched under the wallet's HTTP policy and kept in the vault cache, so the wallet
shows the last known state offline, with its age.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from wallet_core.clock import to_datetime
from wallet_core.errors import (
    ExpiredCredentialError,
    HttpStatusError,
    NetworkError,
    RevokedCredentialError,
    TypeMetadataError,
    WalletError,
)
from wallet_core.formats import (
    endorsements,
    open_badges_v2,
    registry,
    status,
    status_w3c,
    type_metadata,
)
from wallet_core.formats.status_common import StatusResult
from wallet_core.formats.type_metadata import TypeMetadata
from wallet_core.models import (
    CredentialStatus,
    PendingCredential,
    StatusState,
    StoredCredential,
)
from wallet_core.network import Network
from wallet_core.storage import Vault
from wallet_core.trust.cache import Fetched, Source, cached_fetch

STATUS_LIST_NAMESPACE = "status-list-token"
W3C_STATUS_NAMESPACE = "status-list-w3c"
TYPE_METADATA_NAMESPACE = "type-metadata"
HTTP_GONE = 410  # how OB 2.0 says a hosted assertion was revoked


Arrived = StoredCredential | PendingCredential


class Freshness:
    def __init__(self, vault: Vault, network: Network) -> None:
        self._vault = vault
        self._network = network

    def on_arrival(self, results: list[Arrived]) -> list[Arrived]:
        """Each credential's status checked once as it arrives, so a new one does not say
        "status unknown" until asked. Best effort: offline, or with a status list that
        cannot be read, it stays unknown and the credential is kept all the same."""
        checked: list[Arrived] = []
        for result in results:
            if isinstance(result, StoredCredential):
                with contextlib.suppress(WalletError):
                    result = dataclasses.replace(result, status=self.refresh_status(result.id))
            checked.append(result)
        return checked

    def refresh_status(self, credential_id: str) -> CredentialStatus:
        """Check the credential's status lists and store what they say.

        Offline (or while a list cannot be fetched, or for entries the wallet cannot check)
        the last known status is returned unchanged, with the time it was last checked, so
        the UI can show its age. A list that was fetched but does not verify raises: that
        is not "offline".
        """
        stored = self._vault.credentials.get(credential_id)
        if stored.format == open_badges_v2.FORMAT_NAME:
            return self._store_status(credential_id, stored.status, self._hosted_status(stored))
        if not registry.is_held(stored.format):
            return stored.status
        self._recheck_endorsements(stored)
        held = self._vault.credentials.read_once(credential_id, registry.read)
        reference = registry.format_for(stored.format).status_reference(held)
        if isinstance(reference, status.StatusListReference):
            state = self._token_status(held.issuer, reference)
        elif isinstance(reference, status_w3c.W3cStatusReference):
            state = self._w3c_status(reference)
        else:
            state = None
        return self._store_status(credential_id, stored.status, state)

    def _recheck_endorsements(self, stored: StoredCredential) -> None:
        """Endorsements left ``unchecked`` on arrival (the endorser's DID could not be
        resolved, say) are checked again; a decided outcome (valid, invalid) stays."""
        known = stored.display.get("endorsements")
        if not isinstance(known, list) or not any(
            isinstance(e, Mapping) and e.get("outcome") == "unchecked" for e in known
        ):
            return
        fresh = endorsements.check(
            stored.claims,
            resolver=self._network.assertion_keys,
            now=self._vault.now(),
            decided=endorsements.previous(known),
        )
        merged = [check.as_record() for check in fresh]
        if merged != known:
            display = {**stored.display, "endorsements": merged}
            self._vault.credentials.set_display(stored.id, display)

    def _store_status(
        self, credential_id: str, known: CredentialStatus, state: StatusState | None
    ) -> CredentialStatus:
        """``state`` as the credential's status now; None keeps the last known one."""
        if state is None:
            return known
        fresh = CredentialStatus(state, self._now())
        self._vault.credentials.set_status(credential_id, fresh)
        return fresh

    def _hosted_status(self, stored: StoredCredential) -> StatusState | None:
        """An Open Badge 2.0 hosted assertion is as good as what its issuer serves at its
        address now (OB 2.0 Hosted Verification): fetched and checked again. ``revoked`` or
        410 Gone is revoked; offline, or any other failure to get an answer, keeps the last
        known status; an answer that no longer checks out (another badge at that address,
        an origin the issuer does not allow) raises, as a list that does not verify does."""
        url = stored.claims.get("id")
        if not isinstance(url, str):
            return None
        http = self._network.http
        try:
            open_badges_v2.fetch_hosted(
                lambda address: http.get_json(address, accept="application/json"),
                url,
                now=self._vault.now(),
            )
        except RevokedCredentialError:
            return StatusState.INVALID
        except HttpStatusError as exc:
            return StatusState.INVALID if exc.status == HTTP_GONE else None
        except ExpiredCredentialError:
            return None  # its end date says so already; revocation is what status means
        except NetworkError:
            return None
        return StatusState.VALID

    def _token_status(
        self, issuer: str | None, reference: status.StatusListReference
    ) -> StatusState | None:
        """IETF Token Status List; None when the list could not be fetched."""

        def issuer_key(header: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
            # The list must be signed for the credential's own issuer (Token Status List §8.3).
            return self._network.issuer_keys.resolve(issuer, header)

        def fetch() -> Fetched:
            token = self._network.http.get_text(reference.uri, accept="application/statuslist+jwt")
            checked = status.verify_status_list_token(
                token, uri=reference.uri, issuer_key=issuer_key, now=self._now()
            )
            return Fetched(token, (checked.valid_until - checked.fetched_at).total_seconds())

        token = self._cached(STATUS_LIST_NAMESPACE, reference.uri, fetch)
        if token is None:
            return None
        result = status.check_token_status(token, reference, issuer_key=issuer_key, now=self._now())
        return result.state

    def _w3c_status(self, reference: status_w3c.W3cStatusReference) -> StatusState | None:
        """W3C lists (Bitstring / StatusList2021 credentials, 1EdTech revocation lists),
        each fetched once; their entries combined (``status_w3c.combine``)."""
        results: list[StatusResult] = []
        unchecked = bool(reference.unchecked)
        for url, kind, entries in reference.lists():
            fetch = functools.partial(self._fetch_w3c_list, reference, url, kind, entries)
            cached = self._cached(W3C_STATUS_NAMESPACE, url, fetch)
            if cached is None:
                unchecked = True
                continue
            listed = status_w3c.StatusListDocument.from_json(cached)
            results += status_w3c.check_entries(reference, entries, listed, now=self._now())
        return status_w3c.combine(results, unchecked=unchecked)

    def _fetch_w3c_list(
        self,
        reference: status_w3c.W3cStatusReference,
        url: str,
        kind: str,
        entries: tuple[status_w3c.StatusEntry, ...],
    ) -> Fetched:
        """Fetch, verify and check one W3C list; cached for as long as it says."""
        now = self._now()
        if kind == status_w3c.REVOCATION_LIST:
            response = self._network.http.get(url, accept=status_w3c.REVOCATION_LIST_MEDIA_TYPE)
            listed = status_w3c.revocation_list(response.json())
        else:
            response = self._network.http.get(url, accept=status_w3c.LIST_MEDIA_TYPES)
            listed = status_w3c.verify_list_credential(
                response.text(),
                issuer=reference.issuer,
                resolver=self._network.assertion_keys,
                now=self._vault.now(),
            )
        results = status_w3c.check_entries(
            reference, entries, listed, now=now, max_age=response.max_age()
        )
        until = min((r.valid_until for r in results if r.valid_until is not None), default=now)
        return Fetched(listed.to_json(), (until - now).total_seconds())

    def _cached(self, namespace: str, key: str, fetch: Callable[[], Fetched]) -> Any | None:
        """The validated value under the cache policy; None when it could not be fetched
        (offline, or only a stale copy): the caller keeps the last known status."""
        try:
            value, source = cached_fetch(
                self._vault.cache, self._vault.clock, namespace, key, fetch
            )
        except NetworkError:
            return None
        return None if source is Source.STALE_CACHE else value

    def type_metadata(self, vct: str, integrity: str | None = None) -> TypeMetadata:
        """SD-JWT VC Type Metadata of ``vct`` (and what it extends), fetched under the HTTP
        policy and kept in the vault, so cards render offline. A ``vct`` that is not an
        https URL has no retrieval method yet (a registry would be one)."""

        def fetch(url: str) -> bytes:
            def download() -> Fetched:
                response = self._network.http.get(url, accept="application/json")
                # kept as base64: integrity (SRI) is over the exact octets served
                return Fetched(base64.b64encode(response.content).decode(), response.max_age())

            if not url.startswith(("https://", "http://")):
                raise TypeMetadataError(f"no way to retrieve type metadata for {url!r}")
            encoded, _ = cached_fetch(
                self._vault.cache, self._vault.clock, TYPE_METADATA_NAMESPACE, url, download
            )
            return base64.b64decode(str(encoded))

        return type_metadata.resolve(vct, fetch, integrity=integrity)

    def _now(self) -> datetime:
        moment = to_datetime(self._vault.now())
        assert moment is not None
        return moment
