"""PHI governance: the audit of reads in the PHI access log."""
