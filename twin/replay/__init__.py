"""Replay of a recorded history: columnar windows with prefix counts and the ReplayCursor."""
