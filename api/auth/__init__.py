"""Authentication: hashed scoped API keys, EIP-712 signed actions, EIP-191 login challenges."""
