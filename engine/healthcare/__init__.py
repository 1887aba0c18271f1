"""Healthcare monitoring: claims, rejection and generic rates, and adherence
(PDC) read from the monitored pharmacy-claims schema."""
