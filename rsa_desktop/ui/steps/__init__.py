"""The workflow's step pages and what appears only on them: the pages and Översikt, the item sections, the
guidance, step completeness and titles, RSA-kontroll's findings strip, drafting, the Rapport step's export."""
