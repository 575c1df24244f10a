"""Custom actions served by the rasa-sdk action server (`rasa run actions --actions actions`).

One module per capability; they reach the operator's systems and the handoff service only through
the clients of bot/clients/ (built once in `actions/clients.py`).
"""
