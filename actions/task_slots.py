"""The slots each task fills on its way; cleared together when a task ends, stops or goes to an agent."""

# pay_summary: the fingerprint and exact text of the summary last shown; pay_key: the idempotency
# key drawn for that summary (kept after an unknown outcome, so a retry cannot charge twice).
PAY_SLOTS = ("pay_bill_type", "pay_phone", "amount", "payment_method", "pay_confirmed", "pay_summary", "pay_key")
PENDING_PAY_SLOTS = ("pay_summary", "pay_key")
CANCEL_SLOTS = ("cancel_package_name", "cancel_subscription_id", "cancel_confirmed", "cancel_terms")
TICKET_SLOTS = ("fault_type", "fault_description", "fault_address", "complaint_category", "complaint_description")
DISPUTE_SLOTS = ("dispute_package_name", "dispute_subscription_id")
# plan_terms / pack_terms: the exact 消费提醒 text last shown and the fingerprint of what it is about.
PLAN_SLOTS = ("plan_name", "plan_code", "plan_confirmed", "plan_terms")
PACK_SLOTS = ("pack_name", "pack_code", "pack_confirmed", "pack_terms")
TASK_SLOTS = (*TICKET_SLOTS, *CANCEL_SLOTS, *PAY_SLOTS, *DISPUTE_SLOTS, *PLAN_SLOTS, *PACK_SLOTS)
