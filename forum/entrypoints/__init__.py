"""Entry points: the composition root and the CLI, the one place that imports every package (forum, domain,
projections, web) and builds every part once."""
