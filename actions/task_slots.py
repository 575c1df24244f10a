"""The slots each task fills on its way; cleared together when a task ends, stops or goes to an agent."""

PAY_SLOTS = ("pay_bill_type", "pay_phone", "amount", "payment_method", "pay_confirmed", "pay_key")
CANCEL_SLOTS = ("cancel_package_name", "cancel_subscription_id", "cancel_confirmed", "cancel_terms")
TICKET_SLOTS = ("fault_type", "fault_description", "fault_address", "complaint_category", "complaint_description")
TASK_SLOTS = (*TICKET_SLOTS, *CANCEL_SLOTS, *PAY_SLOTS)
