"""Views of the analysis that the services compute: the riskmatris, the dependency map, continuity gaps, the
audit trail, follow-up against last year, acceptable downtime, the reporting calendar, backups, the yearly
cycle."""
