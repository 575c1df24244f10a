"""Custom Rasa NLU components for Chinese telecom messages (listed in config.yml)."""
