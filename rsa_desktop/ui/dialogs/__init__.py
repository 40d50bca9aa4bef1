"""Dialogs opened from the menus: the small ones (confirm, choose a file, glossary, about, passphrase),
catalogues, consolidation, Excel import, the secrecy review, templates, the scale editor."""
