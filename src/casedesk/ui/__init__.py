"""PySide6 user interface. Calls services only; never SQL or a Session."""
