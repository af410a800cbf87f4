"""Mirroring venue fills into the vault's on-chain trade log (public fills or private commitments)."""
