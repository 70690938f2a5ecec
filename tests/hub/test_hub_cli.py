"""The ``casedesk-hub`` command: create-account, and serve over HTTPS as a real subprocess."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hub_helpers import enroll_device, start_hub

import casedesk
from casedesk.hub.cli import main as hub_cli
from casedesk.sync.envelope import SyncKey, seal_row
from casedesk.sync.http_client import HubClient, NotAuthorized
from casedesk.sync.protocol import OpKind, OpStatus, PushOp


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "casedesk test hub")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
            ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "hub.crt", folder / "hub.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_health(url: str, verify: str, process: subprocess.Popen[bytes]) -> None:
    """Poll the health endpoint (bounded) until the freshly started server answers."""
    pause = threading.Event()
    for _ in range(600):
        assert process.poll() is None, "the hub process exited early"
        try:
            trust = ssl.create_default_context(cafile=verify)
            httpx.get(f"{url}/v1/health", verify=trust, timeout=2).raise_for_status()
            return
        except httpx.TransportError:
            pause.wait(0.05)
    raise AssertionError("the hub never answered /v1/health")


def test_create_account_prints_a_working_one_time_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    assert hub_cli(["create-account", "--db", url, "--name", "Sam"]) == 0
    token = capsys.readouterr().out.split("works once): ")[1].strip()

    assert token.startswith("cde_")
    assert hub_cli(["serve", "--db", url, "--tls-cert", "only-one.pem"]) == 2


@pytest.mark.slow  # a real subprocess: interpreter start and imports dominate
def test_serve_over_https_with_json_logs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    hub_cli(["create-account", "--db", url, "--name", "Sam"])
    token = capsys.readouterr().out.split("works once): ")[1].strip()
    cert, key = _self_signed(tmp_path)
    port, log = _free_port(), tmp_path / "hub.jsonl"
    env = {**os.environ, "PYTHONPATH": str(Path(casedesk.__file__).resolve().parents[1])}
    process = subprocess.Popen(
        [sys.executable, "-m", "casedesk.hub.cli", "serve", "--db", url, "--port", str(port),
         "--tls-cert", str(cert), "--tls-key", str(key), "--log-file", str(log)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    base = f"https://127.0.0.1:{port}"
    try:
        _wait_for_health(base, str(cert), process)
        enrolled = HubClient(base, verify=str(cert)).enroll(token, "device-1")
        client = HubClient(base, enrolled.device_token, verify=str(cert))
        epoch = client.hello(schema_version=1).epoch
        sync_key = SyncKey.generate()
        envelope = seal_row(sync_key, table="client", row_id="r1", row_version=1,
                            payload={"name": "Secret Name"})
        op = PushOp(op_id="op-1", table="client", row_id="r1", kind=OpKind.INSERT,
                    envelope=envelope)
        result = client.push("device-1", epoch, [op]).results[0]
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base}/v1/health")  # the default trust store does not know this hub
    finally:
        process.terminate()
        process.communicate(timeout=30)

    assert result.status is OpStatus.APPLIED
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    routes = {line.get("route") for line in lines if line["event"] == "request"}
    assert {"/v1/enroll", "/v1/hello", "/v1/push"} <= routes
    assert envelope not in log.read_text() and "Secret" not in log.read_text()
    assert token not in log.read_text() and enrolled.device_token not in log.read_text()


def test_revoked_device_can_no_longer_sync(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    store, server = start_hub(url)
    try:
        _account, token = store.create_account("Sam")
        device = enroll_device(server.url, token, SyncKey.generate(), device_id="lost-laptop")
        assert hub_cli(["list-devices", "--db", url]) == 0
        assert "lost-laptop  active" in capsys.readouterr().out

        assert hub_cli(["revoke-device", "--db", url, "--device", "lost-laptop"]) == 0
        with pytest.raises(NotAuthorized):
            device.client.pull(None, device.epoch)
        assert hub_cli(["revoke-device", "--db", url, "--device", "unknown"]) == 1
    finally:
        server.stop()
        store.engine.dispose()
