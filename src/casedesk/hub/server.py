"""Running the hub: in the foreground (``casedesk-hub serve``) or on a background thread.

The background runner binds and listens on its socket *before* starting the server thread, so a
client can connect as soon as :meth:`BackgroundHub.start` returns: connections wait in the listen
backlog until uvicorn accepts them. No polling, no sleeping.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from types import TracebackType

import uvicorn

from casedesk.hub import db
from casedesk.hub.app import create_app
from casedesk.hub.store import HubSettings, HubStore


@dataclass(frozen=True)
class TlsFiles:
    """Certificate chain and private key (PEM) for HTTPS."""

    cert: str
    key: str


def open_store(url: str, settings: HubSettings | None = None) -> HubStore:
    """Engine, schema creation/migration, and the store over it."""
    engine = db.make_engine(url)
    db.init_schema(engine)
    return HubStore(engine, settings)


def _config(store: HubStore, host: str, port: int, tls: TlsFiles | None) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(store),
        host=host,
        port=port,
        access_log=False,  # our own JSON access log replaces it (it would print query strings)
        log_config=None,
        lifespan="off",
        ssl_certfile=tls.cert if tls else None,
        ssl_keyfile=tls.key if tls else None,
        timeout_graceful_shutdown=5,
    )


def serve(store: HubStore, host: str = "127.0.0.1", port: int = 8765,
          tls: TlsFiles | None = None) -> None:
    """Serve in the foreground until interrupted."""
    uvicorn.Server(_config(store, host, port, tls)).run()


class BackgroundHub:
    """A real hub over loopback HTTP on a free port, served from a daemon thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, store: HubStore, host: str = "127.0.0.1") -> None:
        self.store = store
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        address = self._socket.getsockname()
        self.host: str = str(address[0])
        self.port: int = int(address[1])
        self._server = uvicorn.Server(_config(store, self.host, self.port, None))
        self._thread = threading.Thread(target=self._run, name="casedesk-hub", daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the running hub."""
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self) -> BackgroundHub:
        """Listen, then serve on the background thread."""
        self._socket.listen(128)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask uvicorn to finish and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()

    def __enter__(self) -> BackgroundHub:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
