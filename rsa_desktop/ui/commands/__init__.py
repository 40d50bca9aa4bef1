"""How a user's operation runs: undoable commands (undo.py), the one run-report-record helper (ops.py), and
long operations off the GUI thread (workers.py)."""
