"""Data validation: typed rules from config/validation_rules.yaml, run in one
scan per table, with a scorecard and a finding per failed rule."""
