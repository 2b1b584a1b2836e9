"""Long-term memory: results and summaries embedded and stored, the nearest recalled each cycle.

``factory.open_memory`` builds the store from settings (lazily, degrading to ``NoMemory`` with one
warning on failure); ``recall.recall_block`` formats what a prompt gets. Backends: ``local.py``
(files under the data dir) and ``postgres.py`` (pgvector). Nothing heavy is imported here.
"""

from autogpt.memory.base import MemoryHit, MemoryStore, MemoryUnavailable, NoMemory

__all__ = ["MemoryHit", "MemoryStore", "MemoryUnavailable", "NoMemory"]
