"""The web, for commands: URL guard, HTTP fetch, text extraction, the browser, search, answers.

Nothing here prints or reads ``os.environ``; heavy libraries (selenium, trafilatura, ddgs, lxml)
are imported inside the functions that need them, so importing a command module stays light.
"""
