"""The medical core: knowledge, text matching, extraction, red flags, scoring, the interview plan, the summary.

Plain Python with no Rasa import: actions/, components/ and channels/ are thin Rasa glue around it.
"""
