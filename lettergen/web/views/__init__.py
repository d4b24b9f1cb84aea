"""The web app's pages, one module per page (letter, recipients, preview, produce,
follow-up, login) on the shared ``base``; ``app.py`` wires their routes."""
