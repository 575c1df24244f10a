"""The supervisors' dashboard: figures computed from the tracker store, the handoff database and the
operator backend (definitions: docs/dashboard.md)."""
