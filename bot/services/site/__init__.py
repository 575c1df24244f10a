"""The customer-facing web page with the chat widget (the operator's website, in the demo)."""
