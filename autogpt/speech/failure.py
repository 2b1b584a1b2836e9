"""The one error of speech: whatever went wrong, said in a line; speech is off after it."""

from __future__ import annotations


class SpeechFailed(Exception):
    """An engine or a player failed (not installed, no audio device, an endpoint's error)."""
