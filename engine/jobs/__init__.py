"""Scheduled jobs: crontab triggers, actions, runs and their history."""
