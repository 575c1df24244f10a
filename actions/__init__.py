"""Custom actions served by the rasa-sdk action server (`rasa run actions --actions actions`).

One module per capability; they reach the operator's systems only through `backend.OperatorBackend`.
"""
