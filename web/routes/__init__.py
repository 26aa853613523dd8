"""One router per area: pages and health, auth and keys, chat runs, the OpenAI-compatible API,
conversations, market data and documents."""
