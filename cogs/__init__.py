"""Built-in command modules. Each has an `async setup(bot)` that adds its cog."""
