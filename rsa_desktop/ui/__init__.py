"""The Qt desktop user interface. Everything that imports PySide6 lives in this package."""
