"""Custom Rasa graph components (NLU). Importing the package also applies components/rasa_speedups.py."""
import warnings

from components import rasa_speedups

rasa_speedups.apply()
# The faq/* answers live in knowledge/causes.yml (sent by action_answer_faq), so the ResponseSelector has no
# utter_faq/* responses to fetch; it predicts the right key and would otherwise warn on every common question.
warnings.filterwarnings("ignore", message="Unable to fetch responses for faq/")
# components.faq_selector.FaqSelector trains on the response examples; Rasa only knows its own ResponseSelector.
warnings.filterwarnings("ignore", message="You have defined training data with examples for training a response")
