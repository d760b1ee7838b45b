"""The FAQ: its entries and the article they rest on, the checks of the file, and the version in force."""
