"""Data checks run every validation.interval_seconds: the validation rules,
the claim burst and the PHI access audit."""
