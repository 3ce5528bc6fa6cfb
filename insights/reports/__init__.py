"""Case reports: one plain structure (collect.py), rendered as Markdown or PDF. Every
value is plain text; each renderer escapes it for its format."""
