"""Human handoff: the case queue, the agent console (aiohttp + WebSocket) and delivery to Rasa."""
