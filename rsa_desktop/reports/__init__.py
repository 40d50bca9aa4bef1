"""Reports: PDF, Excel and the charts they share with the GUI (no Qt)."""
