"""The building blocks every page, view and dialog is made of: forms, link panels, the table model, value
formatting, hint colours, refresh-when-visible."""
