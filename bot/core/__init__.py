"""The platform-neutral core: types, command declarations, registry and dispatcher.

Nothing in this package imports discord, slack_bolt, storage or a cog.
"""
