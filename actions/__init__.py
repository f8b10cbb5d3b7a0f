"""Custom actions for the muscle-atrophy triage assistant, one module per concern."""
