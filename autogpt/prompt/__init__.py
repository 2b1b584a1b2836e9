"""The prompt: the system prompt, the context that fits the budget, the running summary."""
