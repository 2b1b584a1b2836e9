"""autogpt: an autonomous command-line agent."""

__version__ = "0.4.0"
