"""Write paths of this app (transactions, invariants, side effects after commit)."""
