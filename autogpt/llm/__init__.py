"""The model: the client boundary, the model table, token counting, retry policy."""
