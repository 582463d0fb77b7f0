"""Badge counts: alarms, warnings and cleared-unacknowledged alerts are never mixed up."""

from linetwin.scene.badges import BadgeCounts, badge_counts
from linetwin.twin.alerts.alerts import AlertBook, Severity


def _raise(book, key, severity, asset="sealer", at=1.0):
    return book.raise_or_update(key, asset_id=asset, signal_id=f"{asset}.x", rule=key,
                                severity=severity, message=key, value=1.0, limit=None, at=at)


def test_a_warning_is_not_counted_as_an_alarm():
    book = AlertBook()
    _raise(book, "limit-high:a", Severity.ALARM)
    _raise(book, "trend:a", Severity.WARNING)
    counts = badge_counts(book.active())["sealer"]
    assert counts == BadgeCounts(alarms=1, warnings=1)
    assert counts.kind == "alarm" and counts.text == "! 1 ALARM\n+1 WARNING"


def test_a_cleared_alarm_is_no_longer_an_alarm_and_goes_once_acknowledged():
    book = AlertBook()
    alert = _raise(book, "limit-high:a", Severity.ALARM).alert
    book.clear("limit-high:a", at=2.0)
    counts = badge_counts(book.active())["sealer"]
    assert counts == BadgeCounts(cleared=1)
    assert counts.kind == "cleared" and counts.text == "1 CLEARED"
    assert "ALARM" not in counts.text
    book.acknowledge(alert.id, "ana", "checked the heater", at=3.0)
    assert badge_counts(book.active()) == {}


def test_plural_and_separate_stations():
    book = AlertBook()
    _raise(book, "limit-high:a", Severity.ALARM)
    _raise(book, "limit-low:b", Severity.ALARM)
    _raise(book, "nelson-1:c", Severity.WARNING, asset="filler")
    counts = badge_counts(book.active())
    assert counts["sealer"].text == "! 2 ALARMS"
    assert counts["filler"].text == "! 1 WARNING" and counts["filler"].kind == "warning"
