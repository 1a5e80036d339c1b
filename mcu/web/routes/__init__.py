"""The workspace pages, one router module per section."""
