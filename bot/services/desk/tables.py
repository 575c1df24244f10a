"""SQL schema of the handoff service (SQLite embedded, PostgreSQL in production)."""

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(32), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("password_hash", String(160), nullable=False),
    Column("created_at", DateTime, nullable=False),
    # agent | supervisor (manages the canned replies); accounts of older releases are agents.
    Column("role", String(16), nullable=False, server_default="agent"),
    # 在线 online | 忙碌 busy | 离开 away (bot/services/desk/assignment.py), and how many cases at once.
    Column("status", String(8), nullable=False, server_default="online"),
    Column("max_cases", Integer, nullable=False, server_default="3"),
)

# Settings of the desk a supervisor changes in the console: assign_mode = manual | auto.
desk_settings = Table(
    "desk_settings",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", String(64), nullable=False),
)

# Canned replies (快捷回复): managed by supervisors, inserted by agents with /shortcut or a click,
# filled with the case's values where they fit (bot/services/desk/canned_text.py).
canned_replies = Table(
    "canned_replies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("shortcut", String(20), nullable=False, unique=True),
    Column("title", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("updated_by", Integer, ForeignKey("agents.id"), nullable=True),
    Column("updated_at", DateTime, nullable=False),
)

# Signed-in agents: the cookie holds a random token; only its SHA-256 is stored.
agent_sessions = Table(
    "agent_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

# One case per handoff. status: queued -> taken -> handed_back | closed.
cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(128), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("masked_phone", String(16), nullable=True),
    # The verified number itself, for agent assist's backend lookups only: never sent to a console,
    # cleared by the erasure (bot/services/desk/retention.py).
    Column("verified_phone", String(11), nullable=True),
    Column("verified", Integer, nullable=False),  # 0/1
    Column("reason", String(32), nullable=False),
    Column("priority", Integer, nullable=False),  # 1 most urgent
    Column("status", String(16), nullable=False, index=True),
    Column("context", Text, nullable=False),  # JSON: slots, intents with confidences
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=True),
    Column("note", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("taken_at", DateTime, nullable=True),
    Column("ended_at", DateTime, nullable=True),
    # When the hand-back (or close) reached Rasa, which then resumed the bot; retried until it does.
    Column("resumed_at", DateTime, nullable=True),
)

# The transcript: what the bot had before the handoff, then every message since.
# An agent's message is `recorded_at` once it is in Rasa's tracker and `delivered_at` once it has
# reached the customer (pushed, or pulled by a REST client); a background task retries the rest.
case_messages = Table(
    "case_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("role", String(16), nullable=False),  # customer | bot | agent | system
    Column("text", Text, nullable=False),
    Column("intent", String(64), nullable=True),
    Column("confidence", String(16), nullable=True),
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=True),
    Column("at", DateTime, nullable=False),
    Column("recorded_at", DateTime, nullable=True),
    Column("delivered_at", DateTime, nullable=True),
)

# Private notes on a case: written by agents and supervisors for each other, never sent to the customer.
case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("at", DateTime, nullable=False),
)

# Bot messages produced at hand-back for a customer whose channel cannot be pushed to (REST):
# returned with their next message.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(128), nullable=False, index=True),
    Column("message", Text, nullable=False),  # JSON of a Rasa bot message (text, buttons...)
    Column("at", DateTime, nullable=False),
    Column("delivered_at", DateTime, nullable=True),
)

# Tickets the bot could not open because the operator backend was down or too slow: kept here (the
# handoff service has its own database), submitted by the retry loop once the backend answers, and
# the customer told the ticket number then (bot/services/desk/pending_tickets.py).
pending_tickets = Table(
    "pending_tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(128), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("ticket", Text, nullable=False),  # JSON: phone, kind, category, description, address
    Column("at", DateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("ticket_id", String(32), nullable=True),  # the backend's number, once submitted
    Column("submitted_at", DateTime, nullable=True),
    Column("notified_at", DateTime, nullable=True),  # the customer was told the number
    Column("failed", Text, nullable=True),  # the backend refused it (4xx): not retried
)

# Failed console sign-ins, for the login throttle (bot/services/desk/login_throttle.py): in the database
# so the limits hold across restarts and across processes. Rows older than the window are deleted.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(32), nullable=False, index=True),
    Column("address", String(64), nullable=False, index=True),
    Column("at", DateTime, nullable=False, index=True),
)
