"""Potluck: a community bot for library workers on Discord, Slack and the terminal."""

__version__ = "0.1.0"
