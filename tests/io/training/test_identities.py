"""LineTwin users in users.toml: add, list, remove, and the errors a user meets."""

from __future__ import annotations

import pytest

from linetwin.io.training import identities
from linetwin.io.training.identities import IdentityError, User
from linetwin.ui.cli.training.train_args import ROLES as CLI_ROLES


def test_users_are_kept_in_the_config_folder_and_read_back(tmp_path):
    identities.add_user("Ana Lima", "trainer")
    identities.add_user("Bo Chen", "operator")
    path = tmp_path / "config" / "users.toml"
    assert identities.users_path() == path and path.exists()
    assert identities.load_users() == [User("Ana Lima", "trainer"), User("Bo Chen", "operator")]
    assert identities.find_user("ana lima") == User("Ana Lima", "trainer")  # case does not matter
    assert identities.remove_user("BO CHEN") == User("Bo Chen", "operator")
    assert identities.load_users() == [User("Ana Lima", "trainer")]


def test_removing_a_user_keeps_the_comments_of_the_file(tmp_path):
    path = tmp_path / "config" / "users.toml"
    path.parent.mkdir()
    path.write_text('# kept by the QA office\n[[user]]\nname = "Ana"\nrole = "trainer"\n\n'
                    '[[user]]\nname = "Bo"\nrole = "operator"\n', encoding="utf-8")
    identities.remove_user("Bo")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# kept by the QA office") and "Bo" not in text
    assert identities.load_users() == [User("Ana", "trainer")]


def test_no_file_means_no_users():
    assert identities.load_users() == []


def test_a_name_differing_only_in_case_is_the_same_user():
    identities.add_user("Ana", "trainer")
    with pytest.raises(IdentityError, match="a user called 'ANA' exists already"):
        identities.add_user("ANA", "operator")


def test_an_unknown_user_is_named_with_the_file_and_how_to_add_one(tmp_path):
    with pytest.raises(IdentityError) as caught:
        identities.find_user("Zed Who")
    message = str(caught.value)
    assert "no LineTwin user 'Zed Who'" in message and str(tmp_path / "config" / "users.toml") in message
    assert 'linetwin train users add "Zed Who" --role ROLE' in message


def test_a_wrong_role_is_refused_with_the_role_the_user_has():
    identities.add_user("Bo", "operator")
    with pytest.raises(IdentityError, match="Bo is a LineTwin user with role operator, not trainer"):
        identities.require_role("Bo", "trainer")


@pytest.mark.parametrize("name, role, message", [
    ("", "trainer", "a user needs a name"),
    ("Cy", "boss", "unknown role 'boss'"),
])
def test_a_bad_user_is_refused(name, role, message):
    with pytest.raises(IdentityError, match=message):
        identities.add_user(name, role)


@pytest.mark.parametrize("text, message", [
    ('[[user]\nname = "x"', "cannot read the users file"),
    ('[[user]]\nrole = "trainer"\n', "user 1 has no name"),
    ('[[user]]\nname = "Ana"\nrole = "chief"\n', "user 'Ana' has role 'chief'"),
])
def test_a_broken_users_file_is_named_and_not_rewritten(tmp_path, text, message):
    path = tmp_path / "config" / "users.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IdentityError, match=message) as caught:
        identities.add_user("Bo", "operator")
    assert str(path) in str(caught.value)
    assert path.read_text(encoding="utf-8") == text


def test_the_command_line_offers_the_same_roles():
    assert CLI_ROLES == identities.ROLES
