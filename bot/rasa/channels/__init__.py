"""Rasa input channels of the product, and the relay that lets agents take conversations over."""
