"""Write paths of the matching app: residents' needs (`needs`), match runs (`engine`).

Transactions, invariants and side effects after commit live here; views and tasks only call in.
"""
