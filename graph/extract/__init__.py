"""Report text → plain records: one module per kind of thing found in the text."""
