"""Full-flow leak test (canary method): a case worked end to end leaves no plaintext anywhere.

Two subprocesses run with HOME, TMPDIR and every XDG dir pointing at fresh directories:

1. the services flow: a vault; a client whose names, phone, address, identifiers and notes
   hold a random canary; notes (one locked and amended); drafts; a risk screen; an assessment;
   a plan agreed, exported and digitally signed into the vault; an encrypted backup; a sync to
   a loopback hub (its SQLite database and JSON log in a directory of their own); a lock. One
   assessment summary PDF is exported on purpose, to show the search finds the canary inside
   compressed PDF streams;
2. the GUI, offscreen, started the way ``casedesk`` starts it (``casedesk.cli.main``, so the
   crash reporter and log routing are on): unlock, open the client's record, lock, close (so
   QSettings and the logs are written).

Then every file under the private dirs, the vault and the hub's directory is searched for the
canary as UTF-8, UTF-16-LE and UTF-16-BE (as typed and lower-cased), also inside every zlib or
gzip stream found in a file (PDF streams, compressed data anywhere) and every zip member. Pass:
the only hit is the file exported on purpose; no file name holds the canary; QSettings files
hold neither the client's id nor the canary; the processes' output holds no canary.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

from vaultkit import PASSPHRASE, TESTS_DIR, all_files, private_dirs, private_env

SERVICES_DRIVER = textwrap.dedent(
    """
    import json, logging, os, sys
    from datetime import timedelta
    from pathlib import Path

    sys.path.insert(0, os.environ["FLOW_HUB_HELPERS"])
    from hub_helpers import start_hub

    from casedesk.domain.clients import ClientInput
    from casedesk.domain.clock import today
    from casedesk.domain.documents import SignatureRole
    from casedesk.domain.enums import AssessmentStage, RiskLevel
    from casedesk.domain.my_details import MyDetails
    from casedesk.domain.notes import NoteInput
    from casedesk.hub.logs import JsonFormatter, hub_logger
    from casedesk.services.assessments import AssessmentInput, ReadingInput
    from casedesk.services.bundle import Services
    from casedesk.services.goals import ActionInput, GoalInput, TargetInput
    from casedesk.services.plan_documents import ExportRequest
    from casedesk.services.risk import RiskInput
    from casedesk.services.vault_service import VaultService
    from casedesk.storage.keys import TEST_KDF

    canary = os.environ["FLOW_CANARY"]
    vault_dir, hub_dir = Path(os.environ["FLOW_VAULT"]), Path(os.environ["FLOW_HUB"])
    home = Path(os.environ["HOME"])

    hub_dir.mkdir(parents=True)
    handler = logging.FileHandler(hub_dir / "hub-log.jsonl", encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    hub_logger().addHandler(handler)
    hub_logger().setLevel(logging.INFO)
    store, server = start_hub(f"sqlite:///{hub_dir / 'hub.db'}")

    vault = VaultService(vault_dir, kdf=TEST_KDF)
    vault.create(os.environ["FLOW_PASSPHRASE"])
    s = Services.for_vault(vault)
    client = s.clients.add_client(ClientInput(
        canary, f"{canary}family", preferred_name=canary, date_of_birth="1980-02-03",
        phone=f"07700 {canary}", email=f"{canary}@example.org",
        address_line1=f"1 {canary} Street", town=canary, postcode=canary,
        notes=f"Background: {canary}", identifiers=(("Agency ref", canary),),
    ))
    cid = client.id
    for index in range(5):
        s.notes.add_note(NoteInput(cid, f"Visit {index}: {canary} said " + "words " * 100,
                                   location=canary))
    locked = s.notes.add_note(NoteInput(cid, f"Locked {canary}"), lock=True)
    s.notes.amend_note(locked.id, f"Amendment about {canary}")
    s.drafts.save(f"note:new:{cid}", {"body": f"typing {canary}"})

    s.risk.save_draft(cid, RiskInput(today(), risk_to_self_notes=f"draft {canary}"))
    s.risk.finalise(cid, RiskInput(
        today(), risk_from_others=RiskLevel.HIGH, risk_from_others_notes=f"{canary} ex-partner",
        overall_level=RiskLevel.HIGH, review_on=today() + timedelta(days=28),
    ))
    draft = s.assessments.start(cid, AssessmentStage.INITIAL)
    assessment = s.assessments.finalise(draft.id, AssessmentInput(
        AssessmentStage.INITIAL, today(),
        (ReadingInput("housing", 4, 3, strengths=f"{canary} strengths",
                      needs=f"{canary} needs", client_words=f"{canary} words", priority=True),
         ReadingInput("money_benefits", 6)),
        summary=f"Summary {canary}",
    ))
    s.profile.save(MyDetails(name="Flow Worker", phone="02 5550 0000"))
    plan = s.plans.start_plan(cid)
    plan = s.goals.add_goal(plan.id, GoalInput(
        client_words=f"{canary} wants a safe home", domain_key="housing",
        targets=(TargetInput(f"{canary} rent paid", "0", "4 of 4 weeks",
                             today() + timedelta(days=60)),),
    ))
    s.goals.add_action(plan.goals[0].id, ActionInput(f"{canary} sets up a direct debit"))
    s.plans.agree(plan.id)
    signed = s.documents.export(ExportRequest(
        cid, sign=True, signer_names={SignatureRole.CLIENT: canary},
    ))
    assert signed.signed and canary.encode() not in signed.data  # names sit in Flate streams

    exports = home / "exports"
    exports.mkdir()
    summary = s.assessments.export_summary_pdf(
        assessment.assessment.id, exports / "assessment.pdf"
    )
    (home / "backups").mkdir()
    vault.backup(home / "backups" / "vault.cdbak")

    _account, token = store.create_account("Worker")
    s.sync.setup(str(server.url), token)
    result = s.sync.sync_once()
    assert result.in_sync and result.pushed > 0, result
    vault.lock()
    server.stop()
    store.engine.dispose()
    handler.close()
    print(json.dumps({"client_id": cid, "exported": [str(summary)], "pushed": result.pushed}))
    """
)

GUI_DRIVER = textwrap.dedent(
    """
    import os, sys
    from PySide6.QtCore import QCoreApplication
    import casedesk.cli as cli
    from casedesk.ui import app as app_module
    from casedesk.ui.main_window import RECORD

    client_id = os.environ["FLOW_CLIENT"]

    class Answering(app_module.Dialogs):
        # Real dialogs, except that questions are answered "not now" (a modal would block).

        def confirm(self, parent, title, text, *, ok="OK", irreversible=False):
            print("ASKED", title, flush=True)
            return False

    class Driven(app_module.AppController):
        def __init__(self, vault, **kwargs):
            kwargs["dialogs"] = Answering()
            super().__init__(vault, **kwargs)

        def start(self):
            gate = super().start()
            self.steps = []
            self.ready.connect(self.open_record)
            gate.panel.passphrase.setText(os.environ["FLOW_PASSPHRASE"])
            gate.panel.submit()
            return gate

        def open_record(self):
            if self.steps:
                return
            self.steps.append("unlocked")
            self.window.open_client(client_id)
            self.window.host.screen(RECORD).loaded.connect(self.lock_and_close)

        def lock_and_close(self):
            if "record" in self.steps:
                return
            self.steps.append("record")
            screen = self.window.host.screen(RECORD)
            for index in range(screen.tabs.count()):  # build every tab: plan, documents...
                screen.tabs.setCurrentIndex(index)
                self.tasks.run_sync(lambda: None)  # the database thread has done its jobs
                QCoreApplication.processEvents()  # and their results reached the widgets
            self.steps.append(f"{screen.tabs.count()} tabs")
            self.window.lock_action.trigger()
            self.steps.append("locked" if not self.vault.is_unlocked else "still open")
            print("STEPS", " ".join(self.steps), flush=True)
            self.window.close()  # saves the geometry in QSettings and quits

    app_module.AppController = Driven  # run_gui looks the class up when it starts
    sys.argv = ["casedesk", "--vault", os.environ["FLOW_VAULT"]]
    raise SystemExit(cli.main())
    """
)

ZLIB_HEADER = re.compile(rb"\x78[\x01\x5e\x9c\xda]")
GZIP_HEADER = re.compile(rb"\x1f\x8b\x08")


def _patterns(needle: str) -> dict[str, bytes]:
    return {
        f"{form} {encoding}": text.encode(encoding)
        for form, text in (("as given", needle), ("lower-case", needle.lower()))
        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
    }


def _inflated(data: bytes, depth: int = 0) -> list[tuple[str, bytes]]:
    """Every zlib/gzip stream and zip member found in ``data``, decompressed (recursively)."""
    found: list[tuple[str, bytes]] = []
    if depth > 2:
        return found
    for header, wbits, kind in ((ZLIB_HEADER, 15, "zlib"), (GZIP_HEADER, 31, "gzip")):
        for match in header.finditer(data):
            try:
                inflater = zlib.decompressobj(wbits)
                out = inflater.decompress(data[match.start():], 64 << 20)
            except zlib.error:
                continue
            if out:
                found.append((f"{kind}@{match.start()}", out))
                found.extend(_inflated(out, depth + 1))
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    member = archive.read(name)
                    found.append((f"zip member {name}", member))
                    found.extend(_inflated(member, depth + 1))
        except zipfile.BadZipFile:
            pass
    return found


def deep_canary_hits(needle: str, *roots: Path) -> dict[str, list[str]]:
    """Files under ``roots`` holding ``needle`` in clear or in any compressed stream or member."""
    patterns = _patterns(needle)
    hits: dict[str, list[str]] = {}
    for path in all_files(*roots):
        data = path.read_bytes()
        where = [f"raw ({name})" for name, p in patterns.items() if p in data]
        for label, inflated in _inflated(data):
            where += [f"{label} ({name})" for name, p in patterns.items() if p in inflated]
        if where:
            hits[str(path)] = where
    return hits


def _run(driver: str, tmp_path: Path, env: dict[str, str], name: str) -> str:
    script = tmp_path / f"{name}.py"  # outside every searched directory; holds no canary
    script.write_text(driver, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    assert env["FLOW_CANARY"] not in done.stdout + done.stderr
    return done.stdout


def test_full_flow_leaves_plaintext_only_in_the_deliberate_export(tmp_path: Path) -> None:
    canary = f"Flowcanary{secrets.token_hex(8)}"
    base = tmp_path / "private"
    vault_dir, hub_dir = tmp_path / "vault", tmp_path / "hub"
    env = private_env(
        base,
        FLOW_CANARY=canary,
        FLOW_VAULT=str(vault_dir),
        FLOW_HUB=str(hub_dir),
        FLOW_PASSPHRASE=PASSPHRASE,
        FLOW_HUB_HELPERS=str(TESTS_DIR / "hub"),
        QT_QPA_PLATFORM="offscreen",
    )
    out = _run(SERVICES_DRIVER, tmp_path, env, "services_flow")
    flow = json.loads(out.strip().splitlines()[-1])
    exported = {Path(p) for p in flow["exported"]}
    gui_out = _run(GUI_DRIVER, tmp_path, {**env, "FLOW_CLIENT": flow["client_id"]}, "gui_flow")
    assert re.search(r"STEPS unlocked record \d+ tabs locked", gui_out), gui_out

    roots = [*private_dirs(base), vault_dir, hub_dir]
    files = all_files(*roots)
    names = {p.name for p in files}
    # The flow really wrote what we mean to search: vault, backup, hub data, logs, settings.
    assert {"casedesk.db", "vault.key", "vault.cdbak", "hub.db", "hub-log.jsonl"} <= names
    assert {"casedesk.log", "faults.log", "sqlcipher.log"} <= names  # the GUI's log dir
    settings = [p for p in files if p.suffix in (".conf", ".ini")]
    assert settings, "the GUI wrote no QSettings file"
    assert any(p.name == "casedesk.conf" for p in settings)

    hits = deep_canary_hits(canary, *roots)
    assert set(hits) == {str(p) for p in exported}, hits
    assert all(w.startswith("zlib@") for w in hits[str(next(iter(exported)))])  # deflated only

    for path in files:
        assert canary.lower() not in str(path).lower(), f"file name holds the canary: {path}"
    for path in settings:
        text = path.read_bytes().decode("utf-8", "replace")
        assert flow["client_id"] not in text and canary not in text, path.read_text()


def test_the_deep_search_would_see_a_compressed_leak(tmp_path: Path) -> None:
    # Positive control: the canary hidden in each compressed form is found; near misses are not.
    import gzip

    canary = f"Flowcanary{secrets.token_hex(8)}"
    pdf_like = b"%PDF-1.7\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n"
    (tmp_path / "stream.pdf").write_bytes(
        pdf_like + zlib.compress(f"BT ({canary}) Tj ET".encode()) + b"\nendstream\n"
    )
    (tmp_path / "utf16.bin").write_bytes(b"junk" + zlib.compress(canary.encode("utf-16-be")))
    (tmp_path / "gzip.gz").write_bytes(gzip.compress(canary.lower().encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.txt", f"x {canary} y")
    (tmp_path / "member.zip").write_bytes(buffer.getvalue())
    (tmp_path / "clean.bin").write_bytes(zlib.compress(canary[:-1].encode()))
    hits = deep_canary_hits(canary, tmp_path)
    assert set(hits) == {
        str(tmp_path / name) for name in ("stream.pdf", "utf16.bin", "gzip.gz", "member.zip")
    }, hits
    assert hits[str(tmp_path / "member.zip")] == ["zip member inner.txt (as given utf-8)"]
