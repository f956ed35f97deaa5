"""The audit log: who logged in (or failed to), exported data or changed a status, when.

Rows are written by `audit.models.record()` and never changed or deleted by the site.
"""
