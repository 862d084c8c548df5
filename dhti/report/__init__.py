"""Reports for leadership: the entity and portfolio reports in HTML and PDF, and their charts."""
