"""The slots each task fills on its way; cleared together when a task ends, stops or goes to an agent."""

# pay_summary: the fingerprint and exact text of the summary last shown; pay_key: the idempotency
# key drawn for that summary (kept after an unknown outcome, so a retry cannot charge twice).
PAY_SLOTS = ("pay_bill_type", "pay_phone", "amount", "payment_method", "pay_confirmed", "pay_summary", "pay_key")
PENDING_PAY_SLOTS = ("pay_summary", "pay_key")
CANCEL_SLOTS = ("cancel_package_name", "cancel_subscription_id", "cancel_confirmed", "cancel_terms")
TICKET_SLOTS = ("fault_type", "fault_description", "fault_address", "complaint_category", "complaint_description")
TASK_SLOTS = (*TICKET_SLOTS, *CANCEL_SLOTS, *PAY_SLOTS)
