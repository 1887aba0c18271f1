"""warroom's faces: the CLI, the Textual TUI and (later) the HTTP sidecar."""
