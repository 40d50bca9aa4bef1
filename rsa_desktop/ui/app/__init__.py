"""The application shell: the main window (and its parts), the open document's session, settings, Swedish
translations, error handling and the crash notice, the start screen, the window-wide input rules."""
