"""The stack's passwords: generated at first start, private files, and nowhere else to be read.

PostgreSQL and Cassandra authenticate with passwords that infra/stack.py generated into the state
directory's secrets/ (mode 700, files mode 600). No process of the machine carries one on its
command line, and no log of the stack holds one.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

STATE = Path(os.environ.get("USERSTREAM_HOME", Path(__file__).resolve().parents[2] / ".userstream"))
SECRETS = STATE / "secrets"
PASSWORD_FILES = ["postgres.password", "cassandra.password", "cassandra-reader.password"]
# The key the profiles API signs its cursors with: secret too, though no password.
KEY_FILES = ["profiles-api-cursor.key"]


def passwords() -> dict[str, str]:
    return {name: (SECRETS / name).read_text().strip() for name in PASSWORD_FILES}


def secrets_of_the_stack() -> dict[str, str]:
    return {**passwords(), **{name: (SECRETS / name).read_text().strip() for name in KEY_FILES}}


def test_password_files_are_generated_and_private():
    assert stat.S_IMODE(SECRETS.stat().st_mode) == 0o700
    for name, password in passwords().items():
        assert stat.S_IMODE((SECRETS / name).stat().st_mode) == 0o600, name
        # secrets.token_urlsafe(24): 32 characters, generated, not a default like "cassandra".
        assert len(password) == 32, name
    for name in KEY_FILES:
        assert stat.S_IMODE((SECRETS / name).stat().st_mode) == 0o600, name


def test_no_process_listing_and_no_log_holds_a_password():
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found += [f"pid {proc.name}: {name}" for name, pw in secrets_of_the_stack().items() if pw in cmdline]
    assert found == [], f"passwords on command lines: {found}"
    logs = [p for p in (STATE / "logs").rglob("*") if p.is_file()]
    assert logs, "the stack writes logs"
    for log in logs:
        text = log.read_text(errors="replace")
        for name, pw in secrets_of_the_stack().items():
            assert pw not in text, f"{name} in {log}"
