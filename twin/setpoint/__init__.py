"""Guarded setpoint changes (issue 10, DESIGN section 9): a proposal, the rules
that refuse one (writable signal, certified limits, a reason, a second person
with the approver role) and the guards a written change must keep."""
