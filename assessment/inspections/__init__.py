"""QC-2 inspections (定期检查) and random spot checks (不定期抽查): checklists, plans, findings."""
