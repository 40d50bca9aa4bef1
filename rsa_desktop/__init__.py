"""RSA Desktop: risk- och sårbarhetsanalys for Stockholms stad förvaltningar and bolag."""

__version__ = "0.1.0"
APP_NAME = "RSA Desktop"
