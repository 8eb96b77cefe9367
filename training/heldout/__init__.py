"""Independent held-out practice generator (two therapy practices, truth file, readme).

Written from billing knowledge and the ledger contract only; see README written next to the data.
"""
