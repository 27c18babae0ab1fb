"""A module without `async def setup(bot)`."""
