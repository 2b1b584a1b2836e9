"""``python -m autogpt serve``: the Agent Protocol v1 under ``/ap/v1``, one session per task.

Read in this order: ``cli.py`` (flags, access, uvicorn), ``app.py`` (routes and errors),
``tasks.py`` (the task records), ``runner.py`` (a task's agent in its own thread),
``task_session.py`` (the session a task runs), ``steps.py`` (what a step returns),
``artifacts.py`` (the task's workspace as artifacts). FastAPI and uvicorn are imported only here.
"""
