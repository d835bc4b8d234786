"""QC-3 rectification notices (整改通知) and the department's manager-approved rectification plans."""
