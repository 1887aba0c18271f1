"""One module per panel; each renders what a message or its screen hands it."""
