"""csvtable: show a CSV file as an aligned table (uses tabulite)."""
__version__ = "1.0"
