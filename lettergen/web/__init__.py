"""``lettergen serve``: the clerk's web app. Server-rendered Thai pages (Starlette + Jinja2)
over the same engine the command line uses: spec.load_spec, recipients.load_recipients,
compose, batch.run, status, remind and preview. Nothing here lays out a letter itself."""
