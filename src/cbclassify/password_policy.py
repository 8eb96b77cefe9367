"""Which passwords are accepted, after NIST SP 800-63B section 5.1.1.2 (memorized secrets).

- at least ``MIN_LENGTH`` characters (every character counts, spaces too), at most ``MAX_LENGTH``;
- no composition rules (no "one digit, one symbol");
- not a commonly used password: the 30,000 most common passwords that ``zxcvbn`` ships, and
  nothing that ``zxcvbn`` judges guessable (score below ``MIN_SCORE``: repeats such as twelve
  spaces or ``aaaaaaaaaaaa``, sequences such as ``abcdefghijkl``, keyboard walks, common words);
- not the username, and not containing it (context-specific words).

``password_problem`` answers the first rule a password breaks, as a sentence for the user.
Usernames are compared in their normalized form (``normalize_username``: NFKC, stripped,
case-folded), the one form every sign-in, lock-out and new account uses.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 1000
MIN_SCORE = 3  # zxcvbn's "safely unguessable: moderate protection from offline slow-hash"
#: zxcvbn's matching grows with the length; a longer password is judged on its first part.
_JUDGED_PREFIX = 100
#: Usernames this short are only refused as the whole password, not as a part of it.
_MIN_CONTAINED_USERNAME = 4


def normalize_username(username: str) -> str:
    """The one form of a username: Unicode NFKC, surrounding whitespace removed, case-folded."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used (for ``username``), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"password must have at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"password must have at most {MAX_LENGTH} characters"
    folded = password.casefold()
    if folded.strip() in _common_passwords():
        return "password is a commonly used password; choose another"
    name = normalize_username(username)
    if name and (folded == name or (len(name) >= _MIN_CONTAINED_USERNAME and name in folded)):
        return "password must not contain the username"
    judged = zxcvbn(password[:_JUDGED_PREFIX], user_inputs=[name] if name else [])
    if judged["score"] < MIN_SCORE:
        warning = judged["feedback"].get("warning") or "it is easy to guess"
        return f"password is too easy to guess ({warning.rstrip('.')}); choose a longer phrase"
    return None
