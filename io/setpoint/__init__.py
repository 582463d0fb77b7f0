"""Guarded setpoint changes in a history store (issue 10): the proposals table,
the proposal -> approval -> write -> read-back -> rollback workflow and the
audit entries each step appends."""
