"""One router module per app; ``atrium.api.api`` mounts them all."""
