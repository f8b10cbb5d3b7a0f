"""The staff console: a small web app (Starlette, Jinja2) over the tracker store and a staff database.

Modules, one per concern: config (environment), db (the staff database), tracker (reading conversations),
labels (Chinese names from the domain and the knowledge file), auth (accounts, sessions, CSRF, roles, audit:
the layer every route passes through), nludata (reviewed NLU examples), stories (saving test stories),
jobs (background checks), views (pages), app (wiring), cli (make staff-user).
"""
