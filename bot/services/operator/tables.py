"""SQL schema of the operator backend (SQLAlchemy Core, portable between SQLite and PostgreSQL)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# One row per phone number (a "line"). The service password is kept only as a salted hash.
lines = Table(
    "lines",
    metadata,
    Column("phone", String(11), primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("password_hash", String(128), nullable=False),
    Column("balance_fen", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # active | suspended
    Column("created_at", DateTime, nullable=False),
)

# Failed service-password attempts per number, for the 3-tries / 30-minutes lock.
verification_attempts = Table(
    "verification_attempts",
    metadata,
    Column("phone", String(11), ForeignKey("lines.phone"), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", DateTime, nullable=True),
)

# The same count for well-formed numbers that are not customers (no foreign key), so that an unknown
# number answers exactly like a wrong password: same counts, same lock (bot/services/operator/identity.py).
unknown_number_attempts = Table(
    "unknown_number_attempts",
    metadata,
    Column("phone", String(11), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", DateTime, nullable=True),
)

# Failed verifications per client (a conversation, a network address), in a fixed window, so that
# nobody can spray passwords across numbers. `client_key` is the SHA-256 of "kind:value" (no raw
# sender ids or addresses are kept here).
verification_client_failures = Table(
    "verification_client_failures",
    metadata,
    Column("client_key", String(64), primary_key=True),
    Column("window_start", DateTime, nullable=False),
    Column("failures", Integer, nullable=False),
)

packages = Table(
    "packages",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # main | addon | broadband
    Column("monthly_fee_fen", BigInteger, nullable=False),
    Column("data_mb", Integer, nullable=False),
    Column("voice_min", Integer, nullable=False),
    Column("description", Text, nullable=False),
    # What the plan-change and pack flows need. Columns added after the first release have server
    # defaults or are nullable, so Database.create_schema can add them to an existing database.
    Column("open_to_new", Boolean, nullable=False, server_default=true()),  # offered to new orders
    Column("contract_months", Integer, nullable=True),  # a main plan's minimum term
    Column("family_slots", Integer, nullable=False, server_default="0"),  # 亲情副卡 that may share it
    Column("overage_fen_per_gb", Integer, nullable=True),  # a main plan's price of data beyond it
    Column("pack_type", String(16), nullable=True),  # addon: data | directional | voice | value_added
    Column("one_off", Boolean, nullable=False, server_default=false()),  # valid to the end of the month
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("phone", String(11), ForeignKey("lines.phone"), nullable=False, index=True),
    Column("package_code", String(32), ForeignKey("packages.code"), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("contract_end", Date, nullable=True),
    Column("early_termination_fee_fen", BigInteger, nullable=False),
    Column("broadband_account", String(32), nullable=True),
    Column("status", String(16), nullable=False),  # active | cancel_pending | cancelled | scheduled
    Column("cancel_effective", Date, nullable=True),
    Column("cancel_consent_id", Integer, ForeignKey("consents.id"), nullable=True),
    # The order: when, through which channel (营业厅 | App | 短信 | 第三方推广 | 智能客服), and the customer's
    # confirmation the channel recorded (None: no confirmation on record, which a dispute relies on).
    Column("ordered_at", DateTime, nullable=True),
    Column("order_channel", String(16), nullable=True),
    Column("order_confirmation", Text, nullable=True),
    Column("order_consent_id", Integer, ForeignKey("consents.id"), nullable=True, unique=True),
    Column("valid_until", Date, nullable=True),  # a one-off pack's last day
    Column("dispute_ticket_id", String(16), nullable=True),  # the complaint of a disputed order
)

# Members who share the data/voice of a main plan.
family_shares = Table(
    "family_shares",
    metadata,
    Column("subscription_id", Integer, ForeignKey("subscriptions.id"), primary_key=True),
    Column("member_phone", String(11), ForeignKey("lines.phone"), primary_key=True),
)

# Used amounts of one billing cycle (YYYY-MM); totals come from the active packages.
usage = Table(
    "usage",
    metadata,
    Column("phone", String(11), ForeignKey("lines.phone"), primary_key=True),
    Column("cycle", String(7), primary_key=True),
    Column("data_used_mb", Integer, nullable=False),
    Column("voice_used_min", Integer, nullable=False),
)

bills = Table(
    "bills",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("phone", String(11), ForeignKey("lines.phone"), nullable=False, index=True),
    Column("bill_type", String(8), nullable=False),  # 话费 | 宽带
    Column("month", String(7), nullable=False),
    Column("account", String(32), nullable=True),  # broadband account for 宽带 bills
    Column("amount_fen", BigInteger, nullable=False),
    Column("paid_fen", BigInteger, nullable=False),
    Column("status", String(8), nullable=False),  # unpaid | paid
    UniqueConstraint("phone", "bill_type", "month", name="uq_bill_month"),
)

bill_items = Table(
    "bill_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bill_id", Integer, ForeignKey("bills.id"), nullable=False, index=True),
    Column("description", String(128), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    # fee (a subscription's monthly fee) | overage | roaming | usage | pack | penalty | refund
    Column("category", String(16), nullable=True),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id"), nullable=True),
    Column("charged_at", DateTime, nullable=True),  # when a charge within the month was made
)

# Payments are keyed by the caller's idempotency key: the same key never charges twice; each one
# is made under its own consent (bot/services/operator/billing.py checks it covers exactly this payment).
payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("fingerprint", String(64), nullable=False),
    Column("phone", String(11), ForeignKey("lines.phone"), nullable=False, index=True),
    Column("bill_type", String(8), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("method", String(8), nullable=False),
    # One payment per consent; nullable for payments recorded before consents were required.
    Column("consent_id", Integer, ForeignKey("consents.id"), nullable=True, unique=True),
    Column("status", String(16), nullable=False),
    Column("balance_after_fen", BigInteger, nullable=True),
    Column("outstanding_after_fen", BigInteger, nullable=True),
    Column("created_at", DateTime, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("phone", String(11), ForeignKey("lines.phone"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # 故障报修 | 投诉 | 回访
    Column("category", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("address", String(256), nullable=True),
    Column("priority", String(8), nullable=False),  # urgent | routine | complex
    Column("status", String(16), nullable=False),  # 待处理 | 处理中 | 已解决 | 已关闭
    Column("created_at", DateTime, nullable=False),
    Column("sla_due", DateTime, nullable=False),
    Column("refund_fen", BigInteger, nullable=True),  # a complaint's refund request, computed by the backend
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(16), ForeignKey("tickets.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("note", Text, nullable=False),
)

# Audit log of every consent a customer gave: what was shown, what was confirmed, when.
consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("phone", String(11), ForeignKey("lines.phone"), nullable=False, index=True),
    Column("action", String(32), nullable=False),  # payment | cancel_package | change_plan | add_pack
    Column("subject", Text, nullable=False),  # JSON of the parameters consented to
    Column("shown_text", Text, nullable=False),
    Column("confirmed", Boolean, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("sender_id", String(128), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# Customers' 1-5 ratings of a completed task, asked right after it.
satisfaction_ratings = Table(
    "satisfaction_ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(128), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("task", String(32), nullable=False),
    Column("score", Integer, nullable=False),
    Column("phone", String(11), nullable=True),  # the verified number, when there was one
    Column("created_at", DateTime, nullable=False),
)

# A WeChat follower's openid, bound to the number they verified, so they need not type it again.
wechat_bindings = Table(
    "wechat_bindings",
    metadata,
    Column("openid", String(64), primary_key=True),
    Column("phone", String(11), ForeignKey("lines.phone"), nullable=False),
    Column("bound_at", DateTime, nullable=False),
)
