"""Crash reports and logs for support, with no client data in them.

An unexpected error is a bug. :func:`install` replaces Python's exception hooks so a bug leaves
a report in the platform log directory (``platformdirs.user_log_dir``: on Linux
``$XDG_STATE_HOME/casedesk/log``) instead of a traceback on stderr. A report holds only what a
developer needs to find the bug and nothing a client said:

- the exception *type* of every exception in the chain (``__cause__``/``__context__``, and the
  members of exception groups);
- for every frame: the source file (shortened to its package path), the line number and the
  function name;
- casedesk, Python and library versions and the platform.

Never included: exception messages (a validation message or a SQL error can quote a name),
local variables, arguments, or source lines. Reports are written owner-only (0600, in a 0700
directory) and only the newest :data:`KEEP_REPORTS` are kept.

Other output is routed the same way:

- Python ``logging``: the root logger writes to ``casedesk.log`` (rotating, owner-only) through
  :class:`RedactingFormatter`, which keeps the message *template* but replaces every string
  argument with ``<withheld>`` (numbers, enums, exception types and :class:`Safe` strings are
  kept) and renders ``exc_info`` as types and frames only. Rule for our own code: put data in
  arguments, never into the template (no f-strings in log calls). Nothing goes to stderr.
- ``warnings`` are logged as category, file and line; their text is withheld
  (``logging.captureWarnings`` is not used: it puts the text into the template).
- Qt messages (:func:`qt_message`, installed by the GUI): the level and category are logged,
  the text is not.
- SQLCipher's own log (it writes to stderr by default) goes to ``sqlcipher.log`` in the log
  directory; its lines name pages and error codes, never content.
- ``faulthandler`` writes fatal-signal stacks (file, line and function only) to
  ``faults.log`` in the log directory, never to stderr.

This module is top-level (like :mod:`casedesk.paths`): the UI and CLI import it; it imports
neither, nor Qt.
"""

from __future__ import annotations

import contextlib
import enum
import faulthandler
import logging
import logging.handlers
import os
import platform
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import platformdirs

from casedesk import __version__
from casedesk.paths import APP_AUTHOR, APP_NAME

KEEP_REPORTS = 10
REPORT_PREFIX = "crash-"
LOG_FILE = "casedesk.log"
FAULT_FILE = "faults.log"
SQLCIPHER_FILE = "sqlcipher.log"
LOG_BYTES = 512 * 1024
LOG_BACKUPS = 3
WITHHELD = "<withheld>"
_LIBRARIES = ("PySide6", "sqlalchemy", "sqlcipher3", "reportlab", "pyhanko", "httpx")

CrashCallback = Callable[[Path | None, str], None]
log = logging.getLogger(__name__)


class Safe(str):
    """A string known to hold no client data (a code-chosen label); logged as is."""

    __slots__ = ()


def log_dir() -> Path:
    """The platform's per-user log directory for casedesk (not created here)."""
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


# ----------------------------------------------------------------------------- reports


def _short_path(filename: str) -> str:
    """A source file's path without the user's directories: ``casedesk/ui/app.py``."""
    parts = Path(filename).parts
    for anchor in ("casedesk", "site-packages", "dist-packages"):
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            start = index if anchor == "casedesk" else index + 1
            return "/".join(parts[start:])
    stdlib = Path(os.__file__).parent
    try:
        return "stdlib/" + Path(filename).relative_to(stdlib).as_posix()
    except ValueError:
        return Path(filename).name


def _type_name(kind: type[BaseException]) -> str:
    module = getattr(kind, "__module__", "")
    name = getattr(kind, "__qualname__", kind.__name__)
    return name if module in ("builtins", "") else f"{module}.{name}"


def _frames(tb: TracebackType | None) -> Iterator[str]:
    for frame, lineno in traceback.walk_tb(tb):
        code = frame.f_code
        function = getattr(code, "co_qualname", code.co_name)
        yield f"  at {_short_path(code.co_filename)}:{lineno} in {function}"


def describe_exception(exc: BaseException, indent: str = "") -> list[str]:
    """The exception chain as types and frames only (oldest cause first, as Python prints it).

    Args:
        exc: the exception (its message, arguments and the frames' locals are never read).
        indent: a prefix for every line (used for exception-group members).

    Returns:
        Report lines.
    """
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "which was the direct cause of"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "during handling of which there was"
        else:
            current = None
    lines: list[str] = []
    for item, link_text in reversed(chain):
        lines.append(f"{indent}{_type_name(type(item))}")
        lines.extend(f"{indent}{frame}" for frame in _frames(item.__traceback__))
        members = getattr(item, "exceptions", None)
        if isinstance(item, BaseExceptionGroup) and members:
            for number, member in enumerate(members, 1):
                lines.append(f"{indent}  member {number}:")
                lines.extend(describe_exception(member, indent + "    "))
        if link_text:
            lines.append(f"{indent}({link_text})")
    return lines


def _versions() -> list[str]:
    lines = [
        f"casedesk {__version__}",
        f"python {platform.python_version()} ({platform.python_implementation()})",
        f"platform {platform.system()} {platform.release()} {platform.machine()}",
    ]
    for name in _LIBRARIES:
        if name in sys.modules:
            try:
                lines.append(f"{name} {metadata.version(name)}")
            except metadata.PackageNotFoundError:
                lines.append(f"{name} (version unknown)")
    sqlcipher = sys.modules.get("sqlcipher3")
    if sqlcipher is not None:
        lines.append(f"sqlite {getattr(sqlcipher, 'sqlite_version', '?')}")
    return lines


def format_report(exc: BaseException, *, kind: str = "app", thread: str = "") -> str:
    """The text of a crash report (see the module docstring for what is in it and what not).

    Args:
        exc: the unexpected exception.
        kind: which program crashed ("gui", "cli").
        thread: "main" or "worker" (thread names are never copied).

    Returns:
        The report text.
    """
    lines = [
        "casedesk crash report (no client data: no messages, values or arguments)",
        f"when: {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"program: {kind}" + (f" ({thread} thread)" if thread else ""),
        *_versions(),
        "",
        "exception chain:",
        *describe_exception(exc),
        "",
    ]
    return "\n".join(lines)


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):  # not ours to change; the files stay 0600 anyway
        path.chmod(0o700)
    return path


def _open_private(path: Path, flags: int) -> int:
    fd = os.open(path, flags, 0o600)
    with contextlib.suppress(OSError):
        os.fchmod(fd, 0o600)
    return fd


_counter = 0
_counter_lock = threading.Lock()


def write_report(
    exc: BaseException, *, kind: str = "app", thread: str = "", directory: Path | None = None
) -> Path | None:
    """Write a crash report and keep only the newest :data:`KEEP_REPORTS`.

    Never raises: a crash while reporting a crash must not hide the first one.

    Returns:
        The report's path, or None when it could not be written (e.g. the disk is full).
    """
    global _counter
    try:
        folder = _private_dir(directory or log_dir())
        with _counter_lock:
            _counter += 1
            number = _counter
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = folder / f"{REPORT_PREFIX}{stamp}-{os.getpid()}-{number}.txt"
        data = format_report(exc, kind=kind, thread=thread).encode("utf-8")
        fd = _open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        _rotate(folder)
        return path
    except Exception:  # reporting must never raise
        return None


def _rotate(folder: Path, keep: int = KEEP_REPORTS) -> None:
    reports = sorted(
        folder.glob(f"{REPORT_PREFIX}*.txt"), key=lambda p: (p.stat().st_mtime_ns, p.name)
    )
    for stale in reports[:-keep]:
        stale.unlink(missing_ok=True)


def reports(directory: Path | None = None) -> list[Path]:
    """The crash reports kept, oldest first."""
    folder = directory or log_dir()
    found = folder.glob(f"{REPORT_PREFIX}*.txt")
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


# ----------------------------------------------------------------------------- logging


class _Withheld:
    """Stands in for a withheld argument (the same text for ``%s`` and ``%r``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return WITHHELD

    __str__ = __repr__


_WITHHELD = _Withheld()


def _safe_arg(value: Any) -> Any:
    if isinstance(value, Safe) or value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, type):
        return value.__qualname__
    if isinstance(value, BaseException):
        return _type_name(type(value))
    return _WITHHELD


class RedactingFormatter(logging.Formatter):
    """Formats log records without client data.

    The template (``record.msg``) is kept; string and other arguments become ``<withheld>``;
    ``exc_info`` becomes exception types and frames (as in crash reports); ``stack_info`` is
    dropped. Messages that are not strings are replaced by their type name.
    """

    def format(self, record: logging.LogRecord) -> str:
        """One line (plus exception lines) for ``record``."""
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        head = f"{when}Z {record.levelname} {record.name}: {self.safe_message(record)}"
        lines = [head]
        if record.exc_info and record.exc_info[1] is not None:
            lines.extend(describe_exception(record.exc_info[1], "    "))
        return "\n".join(lines)

    @staticmethod
    def safe_message(record: logging.LogRecord) -> str:
        """The record's message with every argument that could hold client data withheld."""
        template = record.msg
        if not isinstance(template, str):
            return f"<{type(template).__name__} withheld>"
        args = record.args
        if not args:
            return template
        if isinstance(args, dict):
            safe: Any = {key: _safe_arg(value) for key, value in args.items()}
        else:
            safe = tuple(_safe_arg(value) for value in args)
        try:
            return template % safe
        except (TypeError, ValueError, KeyError):
            return f"{template} [arguments withheld]"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created owner-only (0600, in a 0700 directory) whatever the umask.

    With ``delay=True`` neither the directory nor the file exists until something is logged.
    """

    def handleError(self, record: logging.LogRecord) -> None:
        """Drop the record quietly.

        logging's default prints the record's message *and arguments* to stderr when a write
        fails (e.g. on a full disk), which would put client data there.
        """

    def _open(self) -> TextIO:
        _private_dir(Path(self.baseFilename).parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        fd = _open_private(Path(self.baseFilename), flags)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)


_handler: logging.Handler | None = None


def configure_logging(
    directory: Path, level: int = logging.WARNING, *, delay: bool = False
) -> logging.Handler:
    """Send all Python logging (and warnings) to the redacted log file, and nowhere else.

    Handlers already on the root logger are removed, so nothing reaches stderr through them
    (``logging.lastResort`` is not used while a root handler exists).

    Args:
        directory: the log directory.
        level: the root logger's level.
        delay: create the directory and file only when the first record is written.
    """
    global _handler
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    handler: logging.Handler
    try:
        handler = PrivateRotatingFileHandler(
            directory / LOG_FILE,
            maxBytes=LOG_BYTES,
            backupCount=LOG_BACKUPS,
            encoding="utf-8",
            delay=delay,
        )
    except OSError:  # e.g. a full disk or a read-only home: no log, but never stderr
        handler = logging.NullHandler()
    handler.setFormatter(RedactingFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    warnings.showwarning = _show_warning
    _handler = handler
    return handler


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # Not logging.captureWarnings: it puts the warning's text into the log *template*.
    logging.getLogger("py.warnings").warning(
        "%s at %s:%d (text withheld)", category, Safe(_short_path(filename)), lineno
    )


def qt_message(mode: Any, context: Any, message: str) -> None:
    """A Qt message handler (``qInstallMessageHandler``): level and category, never the text.

    Qt warnings can quote widget text or file names, so the text is not kept.
    """
    name = str(getattr(mode, "name", mode))
    level = logging.WARNING
    if "Debug" in name:
        level = logging.DEBUG
    elif "Info" in name:
        level = logging.INFO
    elif "Critical" in name or "Fatal" in name:
        level = logging.ERROR
    category = getattr(context, "category", None) or "default"
    logging.getLogger("casedesk.qt").log(
        level, "Qt %s (category %s; text withheld)", Safe(name), Safe(str(category))
    )


def route_sqlcipher_log(directory: Path | None) -> Path | None:
    """Send SQLCipher's process-wide log to a file in ``directory`` instead of stderr.

    Args:
        directory: the log directory, or None to switch SQLCipher's log off (the CLI, whose
            known failures are reported as plain errors anyway).

    Returns:
        The log file, or None when the log is off or could not be routed.
    """
    try:
        import sqlcipher3  # deferred: the GUI and CLI load it anyway

        path: Path | None = None
        target = "off"
        if directory is not None:
            path = _private_dir(directory) / SQLCIPHER_FILE
            os.close(_open_private(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
            if path.stat().st_size > LOG_BYTES:
                path.replace(path.with_suffix(".log.1"))
                os.close(_open_private(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
            target = str(path).replace("'", "''")
        conn = sqlcipher3.dbapi2.connect(":memory:")
        try:
            conn.execute(f"PRAGMA cipher_log = '{target}'")
            conn.execute("PRAGMA cipher_log_level = WARN")
        finally:
            conn.close()
        return path
    except Exception:  # logging set-up must not stop the app
        log.warning("could not route the SQLCipher log")
        return None


_fault_file: Any = None


def _enable_faulthandler(directory: Path) -> None:
    global _fault_file
    if _fault_file is not None:
        return
    try:
        path = _private_dir(directory) / FAULT_FILE
        if path.exists() and path.stat().st_size:  # keep the last run's fatal error
            path.replace(path.with_suffix(".log.1"))
        fd = _open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        _fault_file = os.fdopen(fd, "w", encoding="utf-8")
        faulthandler.enable(file=_fault_file, all_threads=True)
    except OSError:
        log.warning("could not enable the fault handler")


# ----------------------------------------------------------------------------- hooks


def plain_message(exc: BaseException, report: Path | None) -> str:
    """What to tell a person about a bug: no exception text, where the report is."""
    where = (
        f"A report without client data was saved at {report}."
        if report is not None
        else "A report could not be saved."
    )
    return (
        f"Something went wrong ({type(exc).__name__}); your records are safe: an unfinished "
        f"change was not saved. {where}"
    )


def _default_notice(report: Path | None, text: str) -> None:
    try:
        sys.stderr.write(f"casedesk: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


_installed: dict[str, Any] = {}
_REPORTED = "_casedesk_reported"


def report_bug(exc: BaseException, *, thread: str = "worker") -> Path | None:
    """Record a bug that was caught and shown to the user in plain words (not re-raised).

    The GUI catches errors of background work and says "something went wrong"; this keeps a
    report of them too. Does nothing unless :func:`install` ran in this process (tests that
    build screens in-process write no reports), and reports each exception once.

    Returns:
        The report's path, or None when nothing was written.
    """
    if not _installed or getattr(exc, _REPORTED, False):
        return None
    with contextlib.suppress(AttributeError, TypeError):
        setattr(exc, _REPORTED, True)
    path = write_report(exc, kind=_installed["kind"], thread=thread, directory=_installed["dir"])
    log.error("unexpected error (%s) caught; report written: %s", type(exc), path is not None)
    return path


def install(
    kind: str,
    *,
    on_crash: CrashCallback | None = None,
    directory: Path | None = None,
    level: int = logging.WARNING,
    files_up_front: bool = True,
) -> Path:
    """Install the crash hooks and route logs for a program (the GUI or the CLI).

    Args:
        kind: "gui" or "cli" (written into reports).
        on_crash: called with (report path or None, plain message) after a report is written;
            the default prints the plain message to stderr.
        directory: the log directory (default :func:`log_dir`).
        level: the root logging level.
        files_up_front: the GUI (True) opens its SQLCipher and fault logs at start; the CLI
            (False) writes nothing until something is logged or crashes: SQLCipher's log is
            switched off and ``faulthandler`` stays off.

    Returns:
        The log directory.
    """
    folder = directory or log_dir()
    notice = on_crash or _default_notice
    configure_logging(folder, level, delay=not files_up_front)
    if files_up_front:
        route_sqlcipher_log(folder)
        _enable_faulthandler(folder)
    else:
        route_sqlcipher_log(None)

    _installed.update(kind=kind, dir=folder)

    def report(exc: BaseException, thread: str) -> None:
        path = write_report(exc, kind=kind, thread=thread, directory=folder)
        with contextlib.suppress(AttributeError, TypeError):
            setattr(exc, _REPORTED, True)
        log.error("unexpected error (%s); report written: %s", type(exc), path is not None)
        try:
            notice(path, plain_message(exc, path))
        except Exception:  # the notice must not raise inside a hook
            log.error("could not show the crash notice")

    def excepthook(
        kind_: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind_, KeyboardInterrupt):
            _default_notice(None, "cancelled")
            return
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        report(exc, "main")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        report(args.exc_value, "worker")

    def unraisable_hook(unraisable: Any) -> None:
        # Default prints the object's repr and the message to stderr: both can hold data.
        exc = unraisable.exc_value
        log.warning("unraisable exception (%s) ignored", type(exc) if exc else None)

    sys.excepthook = excepthook
    threading.excepthook = thread_hook
    sys.unraisablehook = unraisable_hook
    return folder
