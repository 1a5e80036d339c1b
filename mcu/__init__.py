"""The app shell: CLI, daemon and wiring of the stages. Components never import it."""
