"""Thin input channels: each translates a platform's protocol to Rasa and back, through turn.finalize."""
