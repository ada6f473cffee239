"""HTML pages for people, French first, working without JavaScript."""
