"""LineTwin users: a name and a role, kept in the user's config folder (DESIGN section 9).

A sign-off names one of these users, never the OS login: a training room shares
one workstation account, and the trainer who signs is a different person from
the trainee at the same keyboard. The file is ``users.toml`` in
``platformdirs.user_config_dir("linetwin")`` (``LINETWIN_CONFIG_DIR`` overrides
the folder, for tests and portable installs)::

    [[user]]
    name = "Ana Lima"
    role = "trainer"

Names are unique regardless of case ("ana" and "Ana" are the same person), so
a trainee cannot sign their own record by changing the case of their name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import tomlkit
from tomlkit.exceptions import TOMLKitError

ROLES = ("operator", "trainer", "engineer", "approver", "technician")
USERS_FILE = "users.toml"


class IdentityError(ValueError):
    """A user that does not exist, a duplicate or a bad role; the message says which."""


@dataclass(frozen=True)
class User:
    name: str
    role: str


def config_dir() -> Path:
    override = os.environ.get("LINETWIN_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir("linetwin", appauthor=False))


def users_path() -> Path:
    return config_dir() / USERS_FILE


def same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def load_users(path: Path | None = None) -> list[User]:
    """The users of ``path`` (default :func:`users_path`); none when the file does not exist."""
    path = path or users_path()
    if not path.exists():
        return []
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise IdentityError(f"{path}: cannot read the users file: {exc}") from None
    users = []
    for n, entry in enumerate(doc.get("user", []), 1):
        name, role = str(entry.get("name", "")).strip(), str(entry.get("role", ""))
        if not name:
            raise IdentityError(f"{path}: user {n} has no name")
        if role not in ROLES:
            raise IdentityError(f"{path}: user {name!r} has role {role!r}; roles: {', '.join(ROLES)}")
        users.append(User(name, role))
    return users


def find_user(name: str, path: Path | None = None) -> User:
    """The user called ``name``; IdentityError naming the users file when none is."""
    for user in load_users(path):
        if same_person(user.name, name):
            return user
    where = path or users_path()
    raise IdentityError(f"no LineTwin user {name!r} in {where}; add one with "
                        f"`linetwin train users add {_quoted(name)} --role ROLE`")


def require_role(name: str, role: str, path: Path | None = None) -> User:
    """The user called ``name``, who must hold ``role``."""
    user = find_user(name, path)
    if user.role != role:
        raise IdentityError(f"{user.name} is a LineTwin user with role {user.role}, not {role}")
    return user


def add_user(name: str, role: str, path: Path | None = None) -> User:
    name = name.strip()
    if not name:
        raise IdentityError("a user needs a name")
    if role not in ROLES:
        raise IdentityError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    path = path or users_path()
    if any(same_person(u.name, name) for u in load_users(path)):
        raise IdentityError(f"{path}: a user called {name!r} exists already")
    doc = _document(path)
    if "user" not in doc:
        doc["user"] = tomlkit.aot()
    entry = tomlkit.table()
    entry["name"], entry["role"] = name, role
    doc["user"].append(entry)
    _write(path, doc)
    return User(name, role)


def remove_user(name: str, path: Path | None = None) -> User:
    path = path or users_path()
    user = find_user(name, path)
    doc = _document(path)
    kept = tomlkit.aot()
    for entry in doc["user"]:
        if not same_person(str(entry.get("name", "")), user.name):
            kept.append(entry)
    doc["user"] = kept
    _write(path, doc)
    return user


def _document(path: Path) -> tomlkit.TOMLDocument:
    if not path.exists():
        doc = tomlkit.document()
        doc.add(tomlkit.comment("LineTwin users: the names a training sign-off or an approval records"))
        return doc
    load_users(path)  # refuse to rewrite a file that does not read
    return tomlkit.parse(path.read_text(encoding="utf-8"))


def _write(path: Path, doc: tomlkit.TOMLDocument) -> None:
    """Write through a temporary file: a crash leaves the old list, never half a new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".toml.tmp")
        temporary.write_text(tomlkit.dumps(doc), encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        raise IdentityError(f"{path}: cannot write the users file: {exc.strerror or exc}") from None


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name else name
