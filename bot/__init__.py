"""Telecom customer-service assistant: custom Rasa components, channels, services and CLI."""
