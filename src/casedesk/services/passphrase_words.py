"""Words a new passphrase must not lean on, read from the open vault."""

from __future__ import annotations

from sqlalchemy import select

from casedesk.services.profile import ProfileService
from casedesk.storage.engine import Database
from casedesk.storage.models import Client


def passphrase_words(db: Database) -> list[str]:
    """The worker's name and organisation and every client's names.

    An attacker who knows whose laptop it is tries these first; they go to the strength
    estimate (:func:`casedesk.domain.passphrase.estimate`) as zxcvbn user inputs.
    """
    profile = ProfileService(db).get()
    words = [profile.name, profile.organisation]
    with db.read() as session:
        rows = session.execute(
            select(Client.given_name, Client.family_name, Client.preferred_name).where(
                Client.deleted_at.is_(None)
            )
        )
        for row in rows:
            words.extend(name for name in row if name)
    return [w for w in dict.fromkeys(words) if w]
