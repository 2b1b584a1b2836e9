"""Cloning git repositories for ``clone_repository``: the system's ``git``, run in an environment
of our own (``environment.py``), watched for time and size (``process.py``), driven by
``clone.py``. Nothing here imports ``commands/``."""
