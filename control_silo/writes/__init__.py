"""The control silo's writes: functions of the caller's unit of work that never commit."""
