"""Where conversations are kept: the SQL tracker store the Rasa server uses (see docs/deploy.md)."""
