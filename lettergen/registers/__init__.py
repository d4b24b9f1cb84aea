"""Registers of letters sent: a run's own register (run_register.py, CSV and XLSX beside its
letters), the office's register of record (record.py, SQLite), its yearly form 14
(form14.py) and the workspace that holds it (workspace.py)."""
