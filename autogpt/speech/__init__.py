"""``--speak``: the agent's ``speak`` thoughts and the run's outcome said aloud, off the loop.

``listener.py`` watches the run's shown events and hands texts to ``speaker.py`` (a bounded
queue and one background thread), which turns each into WAV with an engine (``espeak.py``,
``openai_voice.py``, chosen by ``engines.py``) and plays or files it (``output.py``). A failure
anywhere turns speech off with one warning; the run never waits for it, except briefly at its end.
"""
