"""The keeper's view of the chain: a signing JSON-RPC client and the vault's contracts."""
