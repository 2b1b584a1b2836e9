"""The model's reply -> the command it proposes (``parse_reply``), or a ``ReplyError`` for it."""

from autogpt.reply.parser import Proposal, Thoughts, parse_reply

__all__ = ["Proposal", "Thoughts", "parse_reply"]
