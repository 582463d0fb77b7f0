"""`linetwin setpoint` (guarded setpoint changes) and `linetwin audit` (the hash-chained log)."""
