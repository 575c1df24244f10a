"""Operator backend: stands in for the operator's billing, CRM and ticketing systems.

An aiohttp JSON API over a SQL database (SQLite file by default, PostgreSQL by URL).
Money is integer fen, data is MB, voice is minutes.
"""
