"""VaultCraft proofs and privacy: Merkle-sum trees, trade commitments, envelope encryption, view keys and
BN254 Pedersen/Schnorr. Byte formats are fixed in docs/proofs.md and pinned by tests/zk/vectors/*.json.

Modules: tags, abi, context, keccak, fixedpoint (encoding); merkle_sum, leaves, salts (NAV trees);
commitments (trade commitments, hash chain); hpke, envelope, view_keys, keyfiles (auditor privacy);
pedersen (hidden PnL sums); audit (auditor checks); vectors (shared test vectors); bench (throughput).
"""
