"""Persistence: the append-only journal of a run, resume from it, and the final report."""
