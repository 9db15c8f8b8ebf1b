"""A committed PKCS#12 key container (issue #14): one finding per file, judged by its ASN.1
structure, on the paths that see commits (the hook's staged changes, `scan --history`)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from secretshift.cli import main
from secretshift.plugins.credfiles import is_pkcs12
from tests.conftest import git


def _pkcs12(password: bytes | None) -> bytes:
    """A real PKCS#12 (key + self-signed certificate), made here with `cryptography`."""
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client.internal")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(b"client", key, cert, None, encryption)


def _der_certificate() -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    container = pkcs12.load_key_and_certificates(_pkcs12(None), None)
    assert container[1] is not None
    return container[1].public_bytes(Encoding.DER)


def test_structure_not_name_decides() -> None:
    assert is_pkcs12(_pkcs12(b"changeit"))
    assert is_pkcs12(_pkcs12(None))
    assert not is_pkcs12(_der_certificate())  # a DER certificate: SEQUENCE, but no version 3 + authSafe
    assert not is_pkcs12(b"0\x82\x01\x00\x02\x01\x03")  # the header alone, cut short
    assert not is_pkcs12(b"")


def test_the_hook_reports_a_staged_pkcs12_once(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (git_repo / "certs").mkdir()
    (git_repo / "certs" / "client.p12").write_bytes(_pkcs12(b"changeit"))
    (git_repo / "certs" / "server.pfx").write_bytes(_pkcs12(None))
    (git_repo / "certs" / "ca.der.p12").write_bytes(_der_certificate())  # misnamed certificate: public
    git(git_repo, "add", "certs")
    monkeypatch.chdir(git_repo)
    main(["scan", "--staged", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert sorted((x["path"], x["rule"], x["line"], x["confidence"]) for x in findings) == [
        ("certs/client.p12", "pkcs12-file", 1, "medium"),
        ("certs/server.pfx", "pkcs12-file", 1, "medium"),
    ]
    assert main(["hook", "certs/client.p12"]) == 1
    capsys.readouterr()


def test_history_finds_a_pkcs12_committed_long_ago(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (git_repo / "keystore.pfx").write_bytes(_pkcs12(b"s3cret-store"))
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "add keystore")
    git(git_repo, "rm", "-q", "keystore.pfx")
    git(git_repo, "commit", "-qm", "remove keystore")
    monkeypatch.chdir(git_repo)
    main(["scan", "--history", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(x["path"], x["rule"]) for x in findings] == [("keystore.pfx", "pkcs12-file")]


def test_base64_of_a_pkcs12_is_one_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import base64

    (tmp_path / "client.p12").write_bytes(base64.encodebytes(_pkcs12(b"changeit")))
    main(["scan", "--no-git", "--format", "json", str(tmp_path)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(x["path"], x["rule"]) for x in findings] == [("client.p12", "pkcs12-file")]


def test_a_tree_scan_reports_a_pkcs12_file_whatever_its_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "client.p12").write_bytes(_pkcs12(b"changeit"))
    (tmp_path / "deploy" / "keystore.pfx").write_bytes(_pkcs12(None))
    (tmp_path / "deploy" / "ca.p12").write_bytes(_der_certificate())  # a public certificate, misnamed
    (tmp_path / "deploy" / "logo.ico").write_bytes(b"\x00\x00\x01\x00" + bytes(range(256)))
    main(["scan", "--no-git", "--format", "json", str(tmp_path)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert sorted((x["path"], x["rule"], x["line"]) for x in findings) == [
        ("deploy/client.p12", "pkcs12-file", 1),
        ("deploy/keystore.pfx", "pkcs12-file", 1),
    ]


def test_the_hook_passes_other_binary_files_quietly(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # pre-commit passes binary files too (types: [file]): only a key container is a finding
    (git_repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (git_repo / "model.dat").write_bytes(bytes(range(256)) * 8)
    (git_repo / "client.pfx").write_bytes(_pkcs12(b"changeit"))
    git(git_repo, "add", ".")
    monkeypatch.chdir(git_repo)
    assert main(["hook", "logo.png", "model.dat"]) == 0
    quiet = capsys.readouterr()
    assert (quiet.out, quiet.err) == ("", "")
    assert main(["hook", "logo.png", "model.dat", "client.pfx"]) == 1
    report = capsys.readouterr().out
    assert "client.pfx:1  pkcs12-file" in report and "logo.png" not in report and "model.dat" not in report
