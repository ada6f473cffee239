"""The web surface: Litestar app, JSON API, HTML pages (French first), static assets."""
