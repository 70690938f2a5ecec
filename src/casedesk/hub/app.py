"""FastAPI application exposing :class:`~casedesk.hub.store.HubStore` over HTTP (protocol v1).

The OpenAPI schema is served at ``/openapi.json`` and browsable at ``/docs``, whose Swagger UI
assets are served by the hub itself (``fastapi-offline``), so the page works without internet.
Every request field is constrained in that schema (lengths, character sets, integer bounds):
input the databases could not store is a documented 400, never a 500.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from casedesk.hub.logs import hub_logger
from casedesk.hub.store import DeviceIdentity, HubError, HubStore
from casedesk.sync.protocol import (
    API_PREFIX,
    DEFAULT_PULL_LIMIT,
    ERROR_STATUS,
    INT32_MAX,
    SUPPORTED_PROTOCOLS,
    BlobStatus,
    Cursor,
    EnrollRequest,
    EnrollResponse,
    Epoch,
    ErrorBody,
    ErrorCode,
    HealthResponse,
    HelloRequest,
    HelloResponse,
    ManifestRequest,
    ManifestResponse,
    ManifestRowsResponse,
    PairingGrantResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    RowId,
    Sha256Hex,
    TableName,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CONTENT_RANGE_PATTERN = r"^bytes ([0-9]{1,18})-([0-9]{1,18})/([0-9]{1,18})$"
_CONTENT_RANGE = re.compile(_CONTENT_RANGE_PATTERN)
_MAX_DRAIN_BYTES = 64 * 1024 * 1024
_bearer = HTTPBearer(auto_error=False, description="Per-device token from /v1/enroll")


def error_response(code: ErrorCode, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error every refusal uses."""
    body = ErrorBody(error=code, message=message).model_dump(mode="json")
    return JSONResponse(status_code=ERROR_STATUS[code], content=body, headers=headers)


class _BodyTooLarge(StarletteHTTPException):
    """Raised from the receive wrapper once a streamed body passes the limit.

    An HTTP exception on purpose: FastAPI turns any other error raised while reading a body into
    a generic 400, but re-raises HTTP exceptions, so this one reaches the 413 handler.
    """

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="the request is too large")


class BodyLimitMiddleware:
    """Refuse request bodies above ``max_bytes`` with 413 before any handler stores anything.

    A declared oversized body is drained (up to a cap) before answering, so the client reads a
    clean 413 instead of a connection reset in the middle of its upload.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            if declared <= _MAX_DRAIN_BYTES:
                await _drain(receive)
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        hub_logger().info("refused", extra={"path": scope.get("path"), "status": 413})
        response = error_response(ErrorCode.PAYLOAD_TOO_LARGE, "the request is too large")
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class AccessLogMiddleware:
    """One JSON log line per request: route template, status, duration, account and device ids."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            state = scope.get("state") or {}
            hub_logger().info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "route": getattr(route, "path", "unmatched"),
                    "status": status,
                    "ms": round((time.perf_counter() - began) * 1000, 1),
                    "account": state.get("account_id"),
                    "device": state.get("device_id"),
                },
            )


def create_app(store: HubStore) -> FastAPI:
    """Build the hub's ASGI application around a store."""
    app = FastAPIOffline(
        title="casedesk hub",
        version=str(max(SUPPORTED_PROTOCOLS)),
        description="Zero-knowledge sync hub: stores ciphertext envelopes in a server-ordered log.",
        redoc_url=None,
    )
    _install_error_handlers(app)
    _install_routes(app, store)
    app.add_middleware(BodyLimitMiddleware, max_bytes=store.settings.max_body_bytes)
    app.add_middleware(AccessLogMiddleware)
    return app


_HTTP_CODES = {
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    async def _hub_error(_request: Request, error: HubError) -> JSONResponse:
        return error_response(error.code, error.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, _error: RequestValidationError) -> JSONResponse:
        # Deliberately not echoing the validation details: they quote the request body.
        return error_response(ErrorCode.BAD_REQUEST, "the request is malformed")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, ErrorCode.BAD_REQUEST)
        if code is ErrorCode.METHOD_NOT_ALLOWED:
            return error_response(code, "this path does not take that method",
                                  {"Allow": _allowed_methods(request)})
        return error_response(code, str(error.detail))


def _allowed_methods(request: Request) -> str:
    """Every method of every route on the requested path (Starlette names only one route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _scope = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def _store(request: Request) -> HubStore:
    store: HubStore = request.app.state.store
    return store


def _identity(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> DeviceIdentity:
    """Authenticate the bearer token and remember who called, for the access log."""
    token = credentials.credentials if credentials else None
    who = _store(request).authenticate(token)
    request.state.account_id = who.account_id
    request.state.device_id = who.device_id
    return who


# Module level on purpose: FastAPI resolves these string annotations against module globals.
Caller = Annotated[DeviceIdentity, Depends(_identity)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in sorted(set(ERROR_STATUS.values()))
}


def _install_routes(app: FastAPI, store: HubStore) -> None:
    app.state.store = store
    errors = _ERRORS

    @app.get(f"{API_PREFIX}/health", response_model=HealthResponse)
    def health() -> HealthResponse:
        return HealthResponse(protocols=list(SUPPORTED_PROTOCOLS))

    @app.post(f"{API_PREFIX}/enroll", response_model=EnrollResponse, responses=errors)
    def enroll(body: EnrollRequest, request: Request) -> EnrollResponse:
        response = store.enroll(body)
        request.state.account_id = response.account_id
        request.state.device_id = response.device_id
        hub_logger().info("enrolled", extra={"account": response.account_id,
                                             "device": response.device_id})
        return response

    @app.post(f"{API_PREFIX}/pairing-grants", response_model=PairingGrantResponse,
              responses=errors)
    def pairing_grant(caller: Caller) -> PairingGrantResponse:
        return store.create_pairing_grant(caller)

    @app.post(f"{API_PREFIX}/hello", response_model=HelloResponse, responses=errors)
    def hello(body: HelloRequest, caller: Caller) -> HelloResponse:
        return store.hello(caller, body)

    @app.post(f"{API_PREFIX}/push", response_model=PushResponse, responses=errors)
    def push(body: PushRequest, caller: Caller) -> PushResponse:
        response, stats = store.push(caller, body)
        hub_logger().info("push", extra={"account": caller.account_id,
                                         "device": caller.device_id, "ops": len(body.ops),
                                         **vars(stats)})
        return response

    @app.get(f"{API_PREFIX}/pull", response_model=PullResponse, responses=errors)
    def pull(
        caller: Caller,
        cursor: Annotated[Cursor | None, Query()] = None,
        epoch: Annotated[Epoch | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=INT32_MAX)] = DEFAULT_PULL_LIMIT,
    ) -> PullResponse:
        return store.pull(caller, cursor, epoch, limit)

    @app.post(f"{API_PREFIX}/manifest", response_model=ManifestResponse, responses=errors)
    def manifest(body: ManifestRequest, caller: Caller) -> ManifestResponse:
        return store.manifest(caller, body)

    @app.get(f"{API_PREFIX}/manifest/{{table}}", response_model=ManifestRowsResponse,
             responses=errors)
    def manifest_rows(
        table: TableName,
        caller: Caller,
        epoch: Annotated[Epoch | None, Query()] = None,
        after: Annotated[RowId | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=INT32_MAX)] = 5000,
    ) -> ManifestRowsResponse:
        return store.manifest_rows(caller, table, epoch, after, limit)

    @app.get(f"{API_PREFIX}/blobs/{{sha256}}/status", response_model=BlobStatus,
             responses=errors)
    def blob_status(sha256: Sha256Hex, caller: Caller) -> BlobStatus:
        return store.blob_status(caller, sha256)

    @app.put(f"{API_PREFIX}/blobs/{{sha256}}", response_model=BlobStatus, responses=errors)
    async def put_blob(
        sha256: Sha256Hex,
        request: Request,
        caller: Caller,
        content_range: Annotated[str, Header(description="bytes START-END/TOTAL",
                                             pattern=_CONTENT_RANGE_PATTERN)],
    ) -> BlobStatus:
        start, end, total = _parse_content_range(content_range)
        data = await request.body()
        if len(data) != end - start + 1:
            raise HubError(ErrorCode.BLOB_RANGE, "Content-Range does not match the body length")
        return await run_in_threadpool(store.put_blob_chunk, caller, sha256, start, total, data)

    @app.get(f"{API_PREFIX}/blobs/{{sha256}}", responses=errors,
             response_class=Response)
    def get_blob(sha256: Sha256Hex, caller: Caller) -> Response:
        data = store.read_blob(caller, sha256)
        return Response(content=data, media_type="application/octet-stream")


def _parse_content_range(value: str) -> tuple[int, int, int]:
    match = _CONTENT_RANGE.match(value)
    assert match is not None  # the header's schema pattern is this expression
    start, end, total = (int(group) for group in match.groups())
    if end < start or end >= total:
        raise HubError(ErrorCode.BLOB_RANGE, "Content-Range is out of order")
    return start, end, total
