"""Front doors: each adapter translates a platform's payloads to and from the neutral core."""
