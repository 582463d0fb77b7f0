"""Training records in a history store: stored with their hash, signed off by a
different trainer, expiring, and every refused sign-off with its reason."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest

from linetwin.io.history.history_store import HistoryStore, HistoryStoreError
from linetwin.io.training import records as training
from linetwin.io.training.identities import IdentityError
from linetwin.io.training.records import TrainingRecordError
from tests.io.training.made_results import START, add_users, made_result

SIGNED_AT = START + 3600.0
DAY = 86400.0


@pytest.fixture
def store(tmp_path):
    add_users(("Ana Lima", "trainer"), ("Bo Chen", "operator"), ("Cy Diaz", "engineer"))
    return tmp_path / "records.duckdb"


def test_a_stored_record_reads_back_as_the_same_result_with_its_hash(store):
    result = made_result()
    record_id = training.store_record(store, result, "operator", certification_days=365, now=START + 10)
    [record] = training.records(store)
    canonical = json.dumps(result.as_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record.record_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert record_id == record.record_id == "TR-" + record.record_hash[:10]
    assert record.result() == result
    assert (record.sop_id, record.sop_version, record.trainee, record.trainee_role) == (
        "sealer-changeover", "1.2", "Bo Chen", "operator")
    assert (record.passed, record.score, record.certification_days) == (True, 85.0, 365.0)
    assert record.signed_by is None and record.expires_at is None and record.status(START) == "not signed"


def test_storing_the_same_result_twice_keeps_one_record_and_its_sign_off(store):
    record_id = training.store_record(store, made_result(), "operator", 365)
    training.sign(store, record_id, "Ana Lima", "ok", now=SIGNED_AT)
    assert training.store_record(store, made_result(), "operator", 365) == record_id
    [record] = training.records(store)
    assert record.signed_by == "Ana Lima"


def test_a_trainer_signs_and_the_certificate_expires_after_the_sops_days(store):
    record_id = training.store_record(store, made_result(), "operator", certification_days=30)
    signed = training.sign(store, record_id, "ana lima", "clean run", now=SIGNED_AT)
    assert (signed.signed_by, signed.signer_role, signed.signed_at) == ("Ana Lima", "trainer", SIGNED_AT)
    assert signed.expires_at == SIGNED_AT + 30 * DAY
    expected = hashlib.sha256(json.dumps([signed.record_hash, "Ana Lima", "trainer", SIGNED_AT, "clean run",
                                          SIGNED_AT + 30 * DAY], separators=(",", ":")).encode()).hexdigest()
    assert signed.signature_hash == expected
    [stored] = training.records(store)
    assert stored == signed and stored.tampered() is None
    assert stored.status(SIGNED_AT + DAY) == "valid until 2026-06-27" and stored.certified(SIGNED_AT)
    assert stored.status(SIGNED_AT + 30 * DAY) == "expired 2026-06-27"
    assert not stored.certified(SIGNED_AT + 31 * DAY)


def test_a_record_without_certification_days_never_expires(store):
    record_id = training.store_record(store, made_result(), "operator", certification_days=None)
    signed = training.sign(store, record_id, "Ana Lima", now=SIGNED_AT)
    assert signed.expires_at is None and signed.status(SIGNED_AT + 9999 * DAY) == "valid (no expiry)"


def test_storing_and_signing_enter_the_audit_log(store):
    record_id = training.store_record(store, made_result(), "operator", 365, now=START)
    training.sign(store, record_id, "Ana Lima", "ok", now=SIGNED_AT)
    with HistoryStore(store, read_only=True) as history:
        entries = history.audit_entries()
        assert history.verify_audit_chain().ok
    assert [(e.user, e.action, e.details["record_id"]) for e in entries] == [
        ("Bo Chen", "training.record", record_id), ("Ana Lima", "training.sign", record_id)]


def test_records_filter_by_trainee_and_sop(store):
    training.store_record(store, made_result(), "operator", 365)
    training.store_record(store, made_result(trainee="Cy Diaz", started_at=START + 50), "engineer", 365)
    training.store_record(store, made_result(sop="labeler-jam", started_at=START + 99), "operator", 365)
    assert [r.trainee for r in training.records(store)] == ["Bo Chen", "Cy Diaz", "Bo Chen"]
    assert [r.sop_id for r in training.records(store, trainee="bo chen")] == ["sealer-changeover", "labeler-jam"]
    assert [r.trainee for r in training.records(store, sop="sealer-changeover")] == ["Bo Chen", "Cy Diaz"]
    assert training.records(store, trainee="Nobody") == []


def test_a_history_from_before_training_records_is_upgraded_when_a_record_is_stored(tmp_path):
    path = tmp_path / "old.duckdb"
    with HistoryStore(path):
        pass
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE training_records")
    con.execute("DELETE FROM schema_version")
    con.execute("INSERT INTO schema_version VALUES (4, 'linetwin', 0)")
    con.close()
    assert training.records(path) == []  # read-only: nothing to upgrade, nothing to list
    training.store_record(path, made_result(), "operator", 365)
    assert len(training.records(path)) == 1
    with HistoryStore(path, read_only=True) as history:
        assert history.schema_version == 6


def test_the_default_store_is_in_the_data_folder_and_made_on_the_first_record(tmp_path):
    assert training.default_store_path() == tmp_path / "data" / "training.duckdb"
    training.store_record(training.default_store_path(), made_result(), "operator", 365)
    assert [r.trainee for r in training.records(training.default_store_path())] == ["Bo Chen"]


# --- refusals -----------------------------------------------------------------------------


def test_the_trainee_cannot_sign_their_own_record_even_as_a_trainer(store):
    record_id = training.store_record(store, made_result(trainee="Ana Lima"), "trainer", 365)
    with pytest.raises(TrainingRecordError, match=f"ANA LIMA is the trainee of {record_id}: the sign-off "
                       "must come from a different person"):
        training.sign(store, record_id, "ANA LIMA", now=SIGNED_AT)
    assert not training.records(store)[0].signed


def test_a_user_who_is_not_a_trainer_cannot_sign(store):
    record_id = training.store_record(store, made_result(), "operator", 365)
    with pytest.raises(IdentityError, match="Cy Diaz is a LineTwin user with role engineer, not trainer"):
        training.sign(store, record_id, "Cy Diaz", now=SIGNED_AT)
    with pytest.raises(IdentityError, match="no LineTwin user 'Dee'"):
        training.sign(store, record_id, "Dee", now=SIGNED_AT)
    assert not training.records(store)[0].signed


def test_an_unknown_record_is_refused_naming_the_file(store):
    training.store_record(store, made_result(), "operator", 365)
    with pytest.raises(TrainingRecordError, match=f"{store}: no training record TR-0000000000"):
        training.sign(store, "TR-0000000000", "Ana Lima")


def test_a_record_signed_already_is_not_signed_again(store):
    record_id = training.store_record(store, made_result(), "operator", 365)
    training.sign(store, record_id, "Ana Lima", now=SIGNED_AT)
    add_users(("Dee Evans", "trainer"))
    with pytest.raises(TrainingRecordError, match=f"{record_id} is already signed by Ana Lima on "
                       "2026-05-28T21:26:40Z"):
        training.sign(store, record_id, "Dee Evans", now=SIGNED_AT + 60)
    assert training.records(store)[0].signed_at == SIGNED_AT


def test_a_failed_record_cannot_be_signed(store):
    record_id = training.store_record(store, made_result(passed=False, score=40), "operator", 365)
    with pytest.raises(TrainingRecordError, match="failed \\(score 40\\): a failed record is not certified"):
        training.sign(store, record_id, "Ana Lima", now=SIGNED_AT)
    assert training.records(store)[0].status(SIGNED_AT) == "failed"


def _edit(path, sql):
    con = duckdb.connect(str(path))
    con.execute(sql)
    con.close()


def test_a_record_whose_result_was_edited_is_tampered_and_cannot_be_signed(store):
    record_id = training.store_record(store, made_result(score=55.0), "operator", 365)
    _edit(store, "UPDATE training_records SET result_json = replace(result_json, '\"score\":55.0', "
                 "'\"score\":95.0'), score = 95")
    [record] = training.records(store)
    assert record.tampered() == "its result no longer matches its record hash"
    assert record.status(START) == "tampered"
    with pytest.raises(TrainingRecordError, match=f"{record_id} is tampered with"):
        training.sign(store, record_id, "Ana Lima", now=SIGNED_AT)


def test_a_column_edited_apart_from_its_result_shows_as_tampered(store):
    training.store_record(store, made_result(passed=False, score=40.0), "operator", 365)
    _edit(store, "UPDATE training_records SET passed = true, score = 90")
    [record] = training.records(store)
    assert record.tampered() == "its columns no longer match its stored result"
    assert record.status(START) == "tampered"


def test_an_edited_sign_off_shows_as_tampered(store):
    record_id = training.store_record(store, made_result(), "operator", 365)
    training.sign(store, record_id, "Ana Lima", now=SIGNED_AT)
    _edit(store, f"UPDATE training_records SET expires_at = expires_at + 3650 * {DAY}")
    [record] = training.records(store)
    assert record.tampered() == "its sign-off no longer matches its signature hash"
    assert not record.certified(SIGNED_AT)


def test_a_missing_history_file_is_named(tmp_path):
    missing = tmp_path / "nowhere.duckdb"
    with pytest.raises(HistoryStoreError, match=f"{missing}: no such history file"):
        training.records(missing)
    with pytest.raises(HistoryStoreError, match=f"{missing}: no such history file"):
        training.sign(missing, "TR-0000000000", "Ana Lima")
    assert not missing.exists()


@pytest.mark.parametrize("role, days, message", [
    ("boss", 365, "unknown trainee role 'boss'"),
    ("operator", 0, "certification_days must be a positive number of days, not 0"),
    ("operator", float("nan"), "certification_days must be a positive number"),
])
def test_bad_store_arguments_are_refused(store, role, days, message):
    with pytest.raises(TrainingRecordError, match=message):
        training.store_record(store, made_result(), role, days)
    assert not store.exists()
