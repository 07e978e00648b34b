"""Review cycles, competency frameworks, evidence briefs, review drafts and development plans."""
