"""Rollout to many authorities: registers, updates, the state report."""
