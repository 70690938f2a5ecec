"""Crash output carries no client data: bugs leave a types-and-frames report, nothing else.

A bug is triggered through the real program entry point (``casedesk.cli.main`` as
``python -m casedesk`` runs it) in a subprocess whose HOME, TMPDIR and XDG dirs are fresh. The
bug carries a random canary in its message, in its cause's message and in a local variable;
on the way it also logs the canary (our logger and a library's), warns with it, raises it in a
worker thread and in ``__del__``, and the GUI run sends it through a Qt warning. Afterwards:
the crash report names the exception types and frames, the plain notice (stderr for the CLI,
a dialog for the GUI) says where the report is, and the canary is in no file under the
private dirs and in neither output stream.
"""

from __future__ import annotations

import logging
import secrets
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from casedesk import crashlog
from vaultkit import canary_hits, private_dirs, private_env

CLI_DRIVER = textwrap.dedent(
    """
    import gc, logging, os, sys, threading, warnings
    import sqlcipher3
    import casedesk.cli as cli
    from casedesk.cli import record_cmds

    canary = os.environ["CRASH_CANARY"]

    class Holder:
        def __init__(self, text):
            self.text = text
        def __del__(self):
            raise ValueError(f"cleanup of {self.text}")

    def worker(text):
        raise LookupError(f"no record for {text}")

    def boom(args):
        client_name = args.text  # a local variable holding client data
        logging.getLogger("casedesk.services.notes").warning("note for %s", client_name)
        logging.getLogger("sqlalchemy.engine").error("parameters %r", (client_name,))
        logging.getLogger("casedesk.cli").error("failed", exc_info=ValueError(client_name))
        warnings.warn(f"about {client_name}", stacklevel=1)
        thread = threading.Thread(target=worker, args=(client_name,), name=client_name)
        thread.start()
        thread.join()
        Holder(client_name)
        gc.collect()
        wrong = sqlcipher3.dbapi2.connect(os.environ["CRASH_DB"])  # SQLCipher logs on failure
        wrong.execute("PRAGMA key = 'not the key'")
        try:
            wrong.execute("SELECT * FROM t")
        except sqlcipher3.dbapi2.DatabaseError:
            pass
        try:
            {}[client_name]
        except KeyError as exc:
            raise RuntimeError(f"could not search for {client_name}") from exc

    record_cmds.cmd_search = boom  # the parser binds handlers when main() builds it
    sys.argv = ["casedesk", "search", canary]
    raise SystemExit(cli.main())
    """
)

GUI_DRIVER = textwrap.dedent(
    """
    import logging, os, sys
    from PySide6.QtCore import QCoreApplication, QTimer, qWarning
    from PySide6.QtWidgets import QApplication, QMessageBox
    import casedesk.cli as cli
    from casedesk.ui import app as app_module
    from casedesk.ui.messages import describe_error
    from casedesk.ui.welcome import WelcomeDialog

    canary = os.environ["CRASH_CANARY"]
    original_start = app_module.AppController.start

    def close_dialog_and_leave():
        boxes = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.isVisible()]
        for box in boxes:
            print("DIALOG:", box.windowTitle(), "|", box.text(), flush=True)
            box.accept()
        if not boxes:
            print("NO DIALOG", flush=True)
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, WelcomeDialog) and widget.isVisible():
                widget.reject()  # the app leaves with code 0

    def job(client_name):
        raise KeyError(f"no client called {client_name}")

    def boom():
        client_name = canary  # a local variable holding client data
        tasks = controller[0].tasks
        tasks.run(lambda: job(client_name), label="load client")  # no handler: reported
        tasks.run(lambda: job(client_name),
                  on_error=lambda exc: print("SHOWN:", describe_error(exc), flush=True))
        tasks.run_sync(lambda: None)  # both jobs have run on the database thread
        QCoreApplication.processEvents()  # and their errors reached the GUI thread
        qWarning(f"label text {client_name}")
        logging.getLogger("casedesk.ui.clients").warning("showing %s", client_name)
        QTimer.singleShot(0, close_dialog_and_leave)  # runs inside the dialog's event loop
        raise ValueError(f"bad date of birth for {client_name}")

    controller = []

    def start(self):
        controller.append(self)
        gate = original_start(self)
        QTimer.singleShot(0, boom)
        return gate

    app_module.AppController.start = start
    sys.argv = ["casedesk", "--vault", os.environ["CRASH_VAULT"]]
    raise SystemExit(cli.main())
    """
)


@pytest.fixture
def canary() -> str:
    return f"Crashcanary{secrets.token_hex(8)}"


def _run(
    driver: str, tmp_path: Path, canary: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "driver.py"  # outside the private dirs; holds no canary
    script.write_text(driver, encoding="utf-8")
    env = private_env(tmp_path / "private", CRASH_CANARY=canary, QT_QPA_PLATFORM="offscreen",
                      **extra)
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )


def _log_dir(tmp_path: Path) -> Path:
    return tmp_path / "private" / "xdg-state" / "casedesk" / "log"


def _wrong_key_db(tmp_path: Path) -> Path:
    import sqlcipher3

    path = tmp_path / "other.db"
    conn = sqlcipher3.dbapi2.connect(str(path))
    conn.execute("PRAGMA key = 'the key'")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path


def _assert_private(path: Path, mode: int) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == mode, f"{path} is {oct(path.stat().st_mode)}"


def test_cli_bug_leaves_a_report_without_client_data(tmp_path: Path, canary: str) -> None:
    result = _run(CLI_DRIVER, tmp_path, canary, CRASH_DB=str(_wrong_key_db(tmp_path)))

    assert result.returncode == 1, result.stderr
    assert canary not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "hmac check failed" not in result.stderr  # SQLCipher's own log is not on stderr
    assert "Something went wrong (RuntimeError); your records are safe" in result.stderr
    logs = _log_dir(tmp_path)
    reports = crashlog.reports(logs)
    assert len(reports) == 2  # the worker thread's bug, then the command's
    assert f"saved at {reports[-1]}" in result.stderr
    _assert_private(logs, 0o700)
    for path in logs.iterdir():
        _assert_private(path, 0o600)

    worker, main = (path.read_text(encoding="utf-8") for path in reports)
    assert "program: cli (worker thread)" in worker and "LookupError" in worker
    assert "program: cli (main thread)" in main
    cause, _, effect = main.partition("(which was the direct cause of)")
    assert "KeyError" in cause and "in boom" in cause
    assert "RuntimeError" in effect
    assert "casedesk/cli/common.py:" in effect and "in run_command" in effect
    assert "casedesk/cli/__init__.py:" in effect and "in main" in effect
    assert f"casedesk {crashlog.__version__}" in main and "python " in main

    log_text = (logs / crashlog.LOG_FILE).read_text(encoding="utf-8")
    assert "casedesk.services.notes: note for <withheld>" in log_text
    assert "sqlalchemy.engine: parameters <withheld>" in log_text
    assert "py.warnings" in log_text  # the warning was routed, its text withheld
    assert "unraisable exception (ValueError) ignored" in log_text
    assert "unexpected error (RuntimeError); report written: True" in log_text

    assert canary_hits(canary, *private_dirs(tmp_path / "private")) == []


def test_gui_bug_shows_a_plain_dialog_and_leaves_no_client_data(
    tmp_path: Path, canary: str
) -> None:
    result = _run(GUI_DRIVER, tmp_path, canary, CRASH_VAULT=str(tmp_path / "vault"))

    assert result.returncode == 0, result.stderr
    assert canary not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    logs = _log_dir(tmp_path)
    *caught, report = crashlog.reports(logs)
    assert "SHOWN: Something went wrong (KeyError). Your records were not changed." in result.stdout
    assert len(caught) == 2  # the background jobs' bugs: shown in plain words, and reported
    for path in caught:
        text = path.read_text(encoding="utf-8")
        assert "program: gui (worker thread)" in text and "KeyError" in text and "in job" in text
    dialog = [line for line in result.stdout.splitlines() if line.startswith("DIALOG:")]
    assert dialog == [
        "DIALOG: Something went wrong | Something went wrong; your records are safe. "
        f"A report without client data was saved at {report}."
    ]
    text = report.read_text(encoding="utf-8")
    assert "program: gui (main thread)" in text
    assert "ValueError" in text and "in boom" in text
    assert "PySide6 " in text
    log_text = (logs / crashlog.LOG_FILE).read_text(encoding="utf-8")
    assert "casedesk.qt: Qt QtWarningMsg (category default; text withheld)" in log_text
    assert "casedesk.ui.clients: showing <withheld>" in log_text
    assert {p.name for p in logs.iterdir()} >= {
        crashlog.LOG_FILE, crashlog.FAULT_FILE, crashlog.SQLCIPHER_FILE, report.name
    }
    for path in logs.iterdir():
        _assert_private(path, 0o600)
    assert not (tmp_path / "vault").exists()  # the welcome flow was left; nothing created
    assert canary_hits(canary, *private_dirs(tmp_path / "private")) == []


# ------------------------------------------------------------------ the pieces, in process


def test_report_keeps_types_and_frames_only_and_rotates(tmp_path: Path, canary: str) -> None:
    def fail(secret: str) -> None:
        local_copy = secret.upper()
        raise ExceptionGroup(f"group {local_copy}", [OSError(2, secret), ValueError(secret)])

    try:
        fail(canary)
    except ExceptionGroup as exc:
        caught = exc
    paths = [crashlog.write_report(caught, kind="test", directory=tmp_path) for _ in range(12)]
    kept = crashlog.reports(tmp_path)
    assert len(kept) == crashlog.KEEP_REPORTS and kept == paths[-crashlog.KEEP_REPORTS:]
    text = kept[-1].read_text(encoding="utf-8")
    assert "ExceptionGroup" in text and "<locals>.fail" in text
    assert "member 1:" in text and "FileNotFoundError" in text and "ValueError" in text
    assert "test_crash_output.py:" in text and str(tmp_path) not in text
    assert canary not in text and canary.upper() not in text


def test_log_formatter_withholds_arguments_and_messages(canary: str) -> None:
    formatter = crashlog.RedactingFormatter()

    def record(msg: object, args: object, exc: BaseException | None = None) -> str:
        made = logging.LogRecord("casedesk.x", logging.ERROR, __file__, 1, msg, args,
                                 (type(exc), exc, None) if exc else None)
        return formatter.format(made)

    assert record("client %s has %d notes", (canary, 3)).endswith(
        "client <withheld> has 3 notes"
    )
    assert record("label %s", (crashlog.Safe("save note"),)).endswith("label save note")
    assert record("%(name)s", ({"name": canary},)).endswith("<withheld>")
    assert record("count %d", ("not a number",)).endswith("count %d [arguments withheld]")
    assert canary not in record(ValueError(canary), ())
    with_exc = record("failed", (), KeyError(canary))
    assert "KeyError" in with_exc and canary not in with_exc


def test_a_failing_log_write_prints_nothing_to_stderr(
    tmp_path: Path, canary: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # logging's default handleError prints the record's message and arguments to stderr when
    # a write fails (e.g. a full disk); ours drops the record instead.
    handler = crashlog.PrivateRotatingFileHandler(tmp_path / "logs" / "x.log", encoding="utf-8")
    handler.setFormatter(crashlog.RedactingFormatter())
    assert stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "logs" / "x.log").stat().st_mode) == 0o600
    assert handler.stream is not None
    handler.stream.close()  # every write now fails
    logger = logging.getLogger("casedesk.test.failing")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("client %s", canary)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    captured = capsys.readouterr()
    assert canary not in captured.err + captured.out and "Logging error" not in captured.err
