"""ID numbers as the desk may hold them: checked, cut to their last 4, or kept as a keyed hash.

A mainland resident ID card number (居民身份证号码, GB 11643-1999) is 17 digits and a check
character computed with ISO 7064 MOD 11-2: the digits weighted 2^(17-i) mod 11, the sum's
remainder mod 11 mapped to 1 0 X 9 8 7 6 5 4 3 2. Its digits 7 to 14 are the birth date.

The full number is never stored, audited or exported. What is kept of a number seen in person is
its last 4 characters and its proof: PBKDF2-HMAC-SHA256 of the number with the database's own
secret (`id_proof_key`, made on first use) as the salt, 100,000 rounds. A number typed later
(a caller's, by phone) matches when its proof is the same. Why so:

- a keyed hash, not a plain one: the numbers of a stolen list cannot be looked up in a table made
  beforehand, and a proof means nothing in another database;
- a slow one: the last 4 characters are kept beside it, so a number has about 10^8 candidates
  left (region, birth date); 100,000 rounds make each proof cost ~50 ms, months of one core to
  try them all for one person, where a plain HMAC would take minutes. A match at the desk costs
  one proof;
- the secret lives in the database, not beside it: every desk of a PostgreSQL server and every
  restored backup must match the same proofs. Whoever holds a copy of the database holds the
  secret too; the rounds are then all that stands between them and the numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import date

from sqlalchemy import bindparam, select, text
from sqlmodel import col

from desk.models import IdProofKey
from desk.models.base import UTCDateTime
from desk.services.context import Ctx
from desk.services.errors import DeskError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"  # the check character by the weighted sum's remainder mod 11
ROUNDS = 100_000
_ID_CARD = re.compile(r"^[0-9]{17}[0-9X]$")
_SPACES = re.compile(r"[\s\-]")
_OTHER = re.compile(r"^[0-9A-Z]{4,30}$")
_MAKE_SECRET = text(
    "INSERT INTO id_proof_key (id, secret, created_at) VALUES (1, :secret, :at) "
    "ON CONFLICT (id) DO NOTHING"
).bindparams(bindparam("at", type_=UTCDateTime))


def normalise(typed: str) -> str:
    """A number as typed (spaces, dashes, a small x) in the one form it is checked and hashed in."""
    return _SPACES.sub("", typed).upper()


def check_character(first17: str) -> str:
    """The check character of 17 digits (GB 11643, ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK[total % 11]


def valid_id_card(number: str) -> bool:
    """Whether `number` (normalised) is a mainland ID card number: 18 characters, a real birth
    date, and the right check character."""
    if not _ID_CARD.match(number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    return check_character(number[:17]) == number[17]


def check_id_card(typed: str, *, field: str = "id_number") -> str:
    """The number normalised, or refused: not 18 characters, or its check character wrong."""
    number = normalise(typed)
    if not number:
        raise DeskError("field.required", field=field)
    if not valid_id_card(number):
        raise DeskError("owner_change_error.bad_id_number", field=field, last4=number[-4:])
    return number


def check_other(typed: str, *, field: str = "id_number") -> str:
    """A passport or permit number, normalised: letters and digits only (4 to 30)."""
    number = normalise(typed)
    if not number:
        raise DeskError("field.required", field=field)
    if not _OTHER.match(number):
        raise DeskError("owner_change_error.bad_document_number", field=field)
    return number


def last4(number: str) -> str:
    return normalise(number)[-4:]


def _secret(ctx: Ctx) -> bytes:
    """The database's secret, made on first use (two desks making it at once get the same)."""
    kept = select(col(IdProofKey.secret)).where(col(IdProofKey.id) == 1)
    found = ctx.session.execute(kept).scalar()
    if found is None:
        ctx.session.execute(_MAKE_SECRET, {"secret": secrets.token_hex(32), "at": ctx.now})
        found = ctx.session.execute(kept).scalar()
    assert found is not None
    return bytes.fromhex(str(found))


def proof(ctx: Ctx, kind: str, number: str) -> str:
    """The keyed hash kept of a number (its kind is part of it: a passport number and an ID card
    number that happen to read alike are not the same document)."""
    material = f"{kind}:{normalise(number)}".encode()
    return hashlib.pbkdf2_hmac("sha256", material, _secret(ctx), ROUNDS).hex()


def matches(ctx: Ctx, kind: str, number: str, kept: str) -> bool:
    """Whether `number` is the one whose proof is `kept` (compared in constant time)."""
    return bool(kept) and hmac.compare_digest(proof(ctx, kind, number), kept)
