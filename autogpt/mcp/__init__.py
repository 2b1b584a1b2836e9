"""Tools from MCP servers (Model Context Protocol), offered to the model as commands.

``config`` reads the servers file (the ``{"mcpServers": {...}}`` of Claude Desktop and Cursor);
``hub`` runs the servers' sessions on an event loop of its own (the agent is synchronous);
``tools`` turns their tools into command specs of the registry. Only ``hub`` and ``results``
import the ``mcp`` SDK, and only once a server is configured: a run without MCP pays nothing.
"""
