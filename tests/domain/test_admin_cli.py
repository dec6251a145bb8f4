"""`tremplin admin …`: the admin role is given on the command line only, never to a student."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

import tremplin.cli as cli
from tremplin.commands import run_with_engine
from tremplin.db import session_scope
from tremplin.models import Account, AuditEntry, ChannelIdentity, Role
from tremplin.services.accounts import get_or_create_account, set_role
from tremplin.settings import get_settings


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    if "tremplin.commands.admin" not in cli.COMMAND_MODULES:  # until the lead registers it
        monkeypatch.setattr(cli, "COMMAND_MODULES", [*cli.COMMAND_MODULES, "tremplin.commands.admin"])
    assert cli.main(["migrate"]) == 0
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _account(chat: str, role: Role | None) -> str:
    async def work(engine):
        async with session_scope(engine) as s:
            account = await get_or_create_account(s, "telegram", chat)
            if role is not None:
                await set_role(s, account, role)
            return account.pseudonym
    return run_with_engine(work)


def _role(pseudonym: str) -> Role | None:
    async def work(engine):
        async with session_scope(engine) as s:
            return await s.scalar(select(Account.role).where(Account.pseudonym == pseudonym))
    return run_with_engine(work)


def test_grant_list_and_revoke(db, capsys):
    pseudonym = _account("42", Role.PARENT)
    code, out, _ = run(capsys, "admin", "grant", "--account-pseudonym", pseudonym)
    assert code == 0 and f"Le compte {pseudonym} est maintenant administrateur (rôle précédent : parent)" in out
    assert _role(pseudonym) is Role.ADMIN
    assert "déjà administrateur" in run(capsys, "admin", "grant", "--pseudonym", pseudonym)[1]
    code, out, _ = run(capsys, "admin", "list")
    assert code == 0 and f"  - {pseudonym}" in out
    code, out, _ = run(capsys, "admin", "revoke", "--pseudonym", pseudonym)
    assert code == 0 and _role(pseudonym) is None
    assert "Aucun administrateur" in run(capsys, "admin", "list")[1]

    async def audit(engine):
        async with session_scope(engine) as s:
            return list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert run_with_engine(audit) == ["admin_granted", "admin_revoked"]


def test_students_and_employers_never_become_admin(db, capsys):
    pupil = _account("43", Role.STUDENT)
    code, _, err = run(capsys, "admin", "grant", "--pseudonym", pupil)
    assert code == 1 and "celui d'un élève" in err and _role(pupil) is Role.STUDENT
    code, _, err = run(capsys, "admin", "grant", "--pseudonym", "u000000000000")
    assert code == 1 and "aucun compte" in err
    code, _, err = run(capsys, "admin", "revoke", "--pseudonym", pupil)
    assert code == 1 and "n'est pas administrateur" in err


def test_grant_terminal_makes_the_local_chat_admin(db, capsys):
    code, out, _ = run(capsys, "admin", "grant-demo")
    assert code == 0 and "maintenant administrateur" in out
    user_id = (get_settings().data_dir / "terminal-user").read_text().strip()
    assert user_id.startswith("local-")

    async def work(engine):
        async with session_scope(engine) as s:
            return await s.scalar(select(Account.role).join(ChannelIdentity)
                                  .where(ChannelIdentity.channel == "terminal"))
    assert run_with_engine(work) is Role.ADMIN
    # Same terminal user next time: the bot's chat and the command agree on the file.
    from tremplin.privacy.identifiers import terminal_user_id
    assert terminal_user_id(get_settings().data_dir) == user_id
    assert "déjà administrateur" in run(capsys, "admin", "grant-terminal")[1]


def test_usage_errors(db, capsys):
    assert run(capsys, "admin")[0] == 2
    code, _, err = run(capsys, "admin", "grant")
    assert code == 2 and "--pseudonym" in err

