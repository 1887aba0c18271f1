"""The Textual war room: ``WarRoomApp(engine)`` and its screens and panels."""
