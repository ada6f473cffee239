"""Entry points: the composition root (``bootstrap``), the CLI (``cli``) and the demo (``demo``), the one place that
imports every package (forum, domain, projections, web) and builds every part once."""
