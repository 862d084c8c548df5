"""What the commands print: scores, questionnaires and store listings as text, tables, CSV and JSON."""
