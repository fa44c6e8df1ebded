"""The web layer: ``create_app(settings)``, authorisation, CSRF, i18n, layout templates, static assets."""
