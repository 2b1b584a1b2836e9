"""Configuration: settings from the environment and `.env`, and the AI profile file."""
