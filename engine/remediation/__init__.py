"""Remediation actions, their guards and the playbook."""
