"""The composer: a clinic (handouts.api.Clinic) -> a local web app where a therapist builds the
end-of-visit handout by pointing and clicking, with a live preview of the printed pages.

    app.py       the Flask app and the Composer (warm clinic, build lock, previews kept in memory)
    routes.py    routes for the page, search, preview, PDF, email, save and open visit
    clinic.py    which Clinic the composer serves (the Python API's, opened once and kept warm)
    draft.py     the form as data: posted fields <-> the visit file it would save (no Flask)
    security.py  Host check, LAN access token, CSRF + Origin checks, response headers, route-only logs
    templates/   Jinja templates (everything typed is escaped: text, never markup)
    static/      htmx.min.js (vendored, with its licence), composer.js, composer.css: no CDN, no build step

The only package that imports Flask. Served by waitress (cli/serve.py).
"""

from handouts.web.app import create_app

__all__ = ["create_app"]
