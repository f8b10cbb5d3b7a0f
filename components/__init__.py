"""Custom Rasa graph components (NLU). Importing the package also applies components/rasa_speedups.py."""
from components import rasa_speedups

rasa_speedups.apply()
