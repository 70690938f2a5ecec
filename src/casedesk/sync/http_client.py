"""A small synchronous HTTP client for the hub API, used by the client sync engine.

Every failure becomes one of the exceptions below with a plain-language message the app can show
as is. Retrying is the engine's job (backoff with jitter); :class:`HubUnreachable` marks the
failures worth retrying unchanged.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from casedesk.sync.protocol import (
    API_PREFIX,
    DEFAULT_PULL_LIMIT,
    MAX_BLOB_CHUNK_BYTES,
    PROTOCOL_VERSION,
    SUPPORTED_PROTOCOLS,
    BlobStatus,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    ErrorCode,
    HelloRequest,
    HelloResponse,
    ManifestRequest,
    ManifestResponse,
    ManifestRowsResponse,
    PairingGrantResponse,
    PullResponse,
    PushOp,
    PushRequest,
    PushResponse,
    TableDigest,
)

Model = TypeVar("Model", bound=BaseModel)


class SyncError(Exception):
    """Base of every hub client error; ``str()`` is a plain reason fit for the status bar."""


class HubUnreachable(SyncError):
    """No answer, a cut connection, a timeout or a 5xx: try again later with backoff."""


class HubRejected(SyncError):
    """The hub answered and refused. ``code`` is the protocol error code, ``reason`` its text."""

    def __init__(self, status: int, code: ErrorCode | None, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code
        self.reason = reason


class NotAuthorized(HubRejected):
    """401/403: the device's token is missing, revoked, or belongs elsewhere."""


class EpochChanged(HubRejected):
    """409: the hub was restored from a backup. Run the manifest and re-push what it lacks."""


class CursorExpired(HubRejected):
    """410: the hub no longer has history back to the cursor. Push, then resync from zero."""


class UpgradeRequired(HubRejected):
    """426: versions do not match. ``hub_too_old`` tells which side must be updated."""

    @property
    def hub_too_old(self) -> bool:
        """True when the hub, not this app, needs updating."""
        return self.code is ErrorCode.HUB_UPGRADE_REQUIRED


class PayloadTooLarge(HubRejected):
    """413: send a smaller batch or chunk."""


_BY_CODE: dict[ErrorCode, type[HubRejected]] = {
    ErrorCode.UNAUTHORIZED: NotAuthorized,
    ErrorCode.FORBIDDEN: NotAuthorized,
    ErrorCode.EPOCH_MISMATCH: EpochChanged,
    ErrorCode.CURSOR_EXPIRED: CursorExpired,
    ErrorCode.UPGRADE_REQUIRED: UpgradeRequired,
    ErrorCode.HUB_UPGRADE_REQUIRED: UpgradeRequired,
    ErrorCode.PAYLOAD_TOO_LARGE: PayloadTooLarge,
}


def _rejection(response: httpx.Response) -> HubRejected:
    try:
        body = ErrorBody.model_validate_json(response.content)
    except ValidationError:
        return HubRejected(response.status_code, None,
                           f"the hub refused the request (HTTP {response.status_code})")
    kind = _BY_CODE.get(body.error, HubRejected)
    return kind(response.status_code, body.error, body.message)


class HubClient:
    """Client for one hub and (once enrolled) one device token.

    Args:
        base_url: Hub base URL, e.g. ``https://hub.example.org:8765``.
        token: The device bearer token; None before enrollment.
        timeout: Seconds per request.
        verify: TLS verification: True (system trust store), a CA bundle path (a
            self-signed agency hub), or an SSL context.
        transport: Injected transport (tests).
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"X-Casedesk-Protocol": str(PROTOCOL_VERSION)}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + API_PREFIX,
            headers=headers,
            timeout=timeout,
            verify=ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify,
            transport=transport,
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------ transport

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise HubUnreachable("the hub did not answer in time") from None
        except httpx.TransportError:
            raise HubUnreachable("the hub cannot be reached") from None
        if response.status_code >= 500:
            raise HubUnreachable(f"the hub had a problem (HTTP {response.status_code})")
        if response.status_code >= 400:
            raise _rejection(response)
        return response

    def _call(self, model: type[Model], method: str, path: str, **kwargs: Any) -> Model:
        response = self._send(method, path, **kwargs)
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise HubRejected(response.status_code, None,
                              "the hub sent an answer this app does not understand") from None

    # ------------------------------------------------------------ enrollment

    def enroll(
        self, enrollment_token: str, device_id: str, device_name: str = ""
    ) -> EnrollResponse:
        """Exchange an enrollment token or pairing grant for this device's token."""
        body = EnrollRequest(enrollment_token=enrollment_token, device_id=device_id,
                             device_name=device_name)
        return self._call(EnrollResponse, "POST", "/enroll", json=body.model_dump(mode="json"))

    def create_pairing_grant(self) -> PairingGrantResponse:
        """A one-time grant to put in a pairing code for a new device of this account."""
        return self._call(PairingGrantResponse, "POST", "/pairing-grants")

    # ------------------------------------------------------------ sync

    def hello(self, schema_version: int, app_version: str = "") -> HelloResponse:
        """Negotiate the protocol; raises :class:`UpgradeRequired` on version skew."""
        body = HelloRequest(protocols=list(SUPPORTED_PROTOCOLS), schema_version=schema_version,
                            app_version=app_version)
        return self._call(HelloResponse, "POST", "/hello", json=body.model_dump(mode="json"))

    def push(self, device_id: str, epoch: str, ops: Sequence[PushOp],
             batch_id: str = "") -> PushResponse:
        """Send one batch (one hub transaction). Safe to resend after :class:`HubUnreachable`."""
        body = PushRequest(device_id=device_id, epoch=epoch, batch_id=batch_id, ops=list(ops))
        return self._call(PushResponse, "POST", "/push",
                          content=body.model_dump_json(), headers=_JSON)

    def pull(self, cursor: str | None, epoch: str | None,
             limit: int = DEFAULT_PULL_LIMIT) -> PullResponse:
        """One page after ``cursor`` (None = from the start of this epoch)."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        if epoch:
            params["epoch"] = epoch
        return self._call(PullResponse, "GET", "/pull", params=params)

    def manifest(self, epoch: str, tables: Sequence[TableDigest]) -> ManifestResponse:
        """Compare per-table set hashes (after an epoch change)."""
        body = ManifestRequest(epoch=epoch, tables=list(tables))
        return self._call(ManifestResponse, "POST", "/manifest",
                          content=body.model_dump_json(), headers=_JSON)

    def manifest_rows(self, table: str, epoch: str, after: str | None = None,
                      limit: int = 5000) -> ManifestRowsResponse:
        """A page of the hub's (row id, version) list for one table."""
        params: dict[str, str | int] = {"epoch": epoch, "limit": limit}
        if after:
            params["after"] = after
        return self._call(ManifestRowsResponse, "GET", f"/manifest/{table}", params=params)

    # ------------------------------------------------------------ blobs

    def blob_status(self, sha256: str) -> BlobStatus:
        """How much of a blob the hub holds."""
        return self._call(BlobStatus, "GET", f"/blobs/{sha256}/status")

    def upload_blob(self, data: bytes, *, chunk_size: int = MAX_BLOB_CHUNK_BYTES) -> BlobStatus:
        """Upload (already encrypted) bytes, resuming from what the hub already holds.

        Call again after :class:`HubUnreachable`: it asks the hub where the upload stands and
        sends only the rest.

        Returns:
            The final status (``complete`` is True).

        Raises:
            ValueError: ``data`` is empty.
        """
        if not data:
            raise ValueError("an attachment has at least one byte")
        sha256 = hashlib.sha256(data).hexdigest()
        status = self.blob_status(sha256)
        total = len(data)
        offset = status.received_bytes
        while not status.complete:
            end = min(offset + chunk_size, total)
            headers = {"Content-Range": f"bytes {offset}-{end - 1}/{total}",
                       "Content-Type": "application/octet-stream"}
            status = self._call(BlobStatus, "PUT", f"/blobs/{sha256}",
                                content=data[offset:end], headers=headers)
            offset = status.received_bytes
        return status

    def download_blob(self, sha256: str) -> bytes:
        """A complete blob, verified against its name."""
        data = self._send("GET", f"/blobs/{sha256}").content
        if hashlib.sha256(data).hexdigest() != sha256:
            raise HubRejected(200, None, "the attachment from the hub is damaged")
        return data


_JSON = {"Content-Type": "application/json"}
