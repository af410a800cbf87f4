# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title VaultCraft proof verifier
@license MIT
@author VaultCraft
@notice Stateless, one per chain. Checks an investor's holder leaf or a position leaf against the
        NavOracle's accepted report of an epoch with a Merkle-sum path (root hash AND sum(s)
        checked), and checks the Pedersen/Schnorr proof that hidden per-fill PnL commitments add
        up to a published total, with the EVM's BN254 precompiles. Byte formats: docs/proofs.md;
        the Python side is zk/ (merkle_sum.py, leaves.py, pedersen.py).
@custom:security - Second preimages: leaves are keccak(keccak(typed preimage)) (hash of 32 bytes),
                   nodes hash a tagged 160/224-byte preimage; the zero (empty) leaf never verifies.
                 - Tree depth: the report carries no depth, so depth = len(siblings), 1..32. A
                   proof of another length would need an internal node to equal a leaf hash or an
                   empty slot (a keccak collision between a 32-byte and a 160/224-byte preimage,
                   or a zero preimage), and both the root hash and the root sum(s) must match.
                 - Split-sum attacks: both children's sums are hashed at every node.
                 - Compressed proofs: a zero sibling hash stands for the empty subtree of that height
                   (z_0 = 0 already; z_k is recomputed here), with zero sum(s). No real node hashes
                   to zero, so this is unambiguous; it saves ~1 kgas of calldata per empty level.
                 - Overflowing sums, index >= 2**depth, mismatched sibling arrays: false, no revert.
                 - Replay: leaves bind chain id, the oracle's vault and the report's epoch; the
                   Schnorr transcript binds chain id, vault, epoch, total and every commitment.
                 - Trust: `true` means "in the report `oracle` accepted"; callers must pin the
                   oracle (e.g. Vault.nav_oracle() of a vault registered in the VaultFactory).
@custom:kill Stateless and ownerless: nothing to pause. A flawed version is replaced by deploying
             a new verifier; it holds no funds.
"""

from . import NavOracle


interface INavOracle:
    def is_accepted(report: NavOracle.NavReport) -> bool: view
    def vault() -> address: view


MAX_DEPTH: constant(uint256) = 32
MAX_COMMITMENTS: constant(uint256) = 128
# zk.tags: keccak256 of the versioned labels.
HOLDER_LEAF: constant(bytes32) = keccak256("vaultcraft.holder.leaf.v1")
POSITION_LEAF: constant(bytes32) = keccak256("vaultcraft.position.leaf.v1")
SUM_NODE: constant(bytes32) = keccak256("vaultcraft.sum.node.v1")
SUM2_NODE: constant(bytes32) = keccak256("vaultcraft.sum2.node.v1")
SCHNORR: constant(bytes32) = keccak256("vaultcraft.schnorr.v1")
# BN254: base field modulus p and group order n.
P: constant(uint256) = 21888242871839275222246405745257275088696311157297823662689037894645226208583
N: constant(uint256) = 21888242871839275222246405745257275088548364400416034343698204186575808495617
# 2**256 mod n, to reduce a negative int256 (two's complement) mod n.
TWO_256_MOD_N: constant(uint256) = 6350874878119819312338956282401532410528162663560392320966563075034087161851
# Pedersen generators (zk.pedersen.G / H: try-and-increment from PEDERSEN_G / PEDERSEN_H tags).
G_X: constant(uint256) = 880794621930032908442260254014661029258556896502232581172692210801471518645
G_Y: constant(uint256) = 5483303348444947279368814960429937621331353954248301002832515747079294894009
H_X: constant(uint256) = 12877617855892341296836370079368259190351343338662783415845019047827420141541
H_Y: constant(uint256) = 9836409521238769682885232456301878149942428512918516847502514653250305461644


@external
@view
def verify_holder(oracle: address, report: NavOracle.NavReport, account: address, shares: uint256,
                  salt: bytes32, index: uint256, sibling_hashes: DynArray[bytes32, MAX_DEPTH],
                  sibling_sums: DynArray[uint256, MAX_DEPTH]) -> bool:
    """
    @notice Whether `account` held `shares` in the holder tree of `report`, and `report` is the
            report `oracle` accepted for its epoch.
    @dev Never reverts on a bad proof (unless `oracle` itself reverts): wrong depth, sibling, sum
         or report give false.
    @param oracle The vault's NavOracle (its `vault()` is bound into the leaf).
    @param report The full accepted report (`is_accepted` recomputes its struct hash).
    @param account The holder.
    @param shares The holder's shares at the snapshot (the leaf's sum).
    @param salt The leaf salt from the investor statement.
    @param index Leaf index; bit k = 1 means the running node is the right child at level k.
    @param sibling_hashes Sibling hashes bottom-up; the length is the tree depth (1..32). A zero
           hash means the empty subtree of that height (its sum must then be 0).
    @param sibling_sums Sibling sums, same length.
    @return bool True iff root hash == report.holder_root and root sum == report.holder_sum.
    """
    depth: uint256 = len(sibling_hashes)
    if depth == 0 or len(sibling_sums) != depth or index >> depth != 0:
        return False
    vault: address = staticcall INavOracle(oracle).vault()
    h: bytes32 = keccak256(keccak256(abi_encode(
        HOLDER_LEAF, chain.id, vault, report.epoch, account, shares, salt
    )))
    s: uint256 = shares
    # empty-subtree hash of height `z_height` (z_0 = 0), advanced only when a zero sibling needs it
    z: bytes32 = empty(bytes32)
    z_height: uint256 = 0
    for k: uint256 in range(depth, bound=MAX_DEPTH):
        sib_hash: bytes32 = sibling_hashes[k]
        sib_sum: uint256 = sibling_sums[k]
        if sib_hash == empty(bytes32):
            if sib_sum != 0:
                return False
            for _: uint256 in range(k - z_height, bound=MAX_DEPTH):
                z = keccak256(abi_encode(SUM_NODE, z, empty(uint256), z, empty(uint256)))
            z_height = k
            sib_hash = z
        elif sib_sum > max_value(uint256) - s:
            return False
        if (index >> k) & 1 == 1:
            h = keccak256(abi_encode(SUM_NODE, sib_hash, sib_sum, h, s))
        else:
            h = keccak256(abi_encode(SUM_NODE, h, s, sib_hash, sib_sum))
        s = unsafe_add(s, sib_sum)
    if h != report.holder_root or s != report.holder_sum:
        return False
    return staticcall INavOracle(oracle).is_accepted(report)


@external
@view
def verify_position(oracle: address, report: NavOracle.NavReport, instrument: bytes32, size: int256,
                    mark_price: uint256, equity: uint256, debt: uint256, salt: bytes32, index: uint256,
                    sibling_hashes: DynArray[bytes32, MAX_DEPTH], sibling_equity: DynArray[uint256, MAX_DEPTH],
                    sibling_debt: DynArray[uint256, MAX_DEPTH]) -> bool:
    """
    @notice Whether the position (instrument, size, mark, equity, debt) is a leaf of the position
            tree of `report`, and `report` is the report `oracle` accepted for its epoch.
    @dev Never reverts on a bad proof; see verify_holder.
    @param oracle The vault's NavOracle.
    @param report The full accepted report.
    @param instrument The instrument symbol (bytes32, right-padded UTF-8).
    @param size Signed position size (1e8 units).
    @param mark_price Mark price (1e8 units).
    @param equity The leaf's equity sum.
    @param debt The leaf's debt sum.
    @param salt The leaf salt.
    @param index Leaf index.
    @param sibling_hashes Sibling hashes bottom-up; the length is the tree depth (1..32); zero
           means the empty subtree of that height (its sums must then be 0).
    @param sibling_equity Sibling equity sums, same length.
    @param sibling_debt Sibling debt sums, same length.
    @return bool True iff root hash, equity and debt equal report.position_root/equity/debt.
    """
    depth: uint256 = len(sibling_hashes)
    if depth == 0 or len(sibling_equity) != depth or len(sibling_debt) != depth or index >> depth != 0:
        return False
    vault: address = staticcall INavOracle(oracle).vault()
    h: bytes32 = keccak256(keccak256(abi_encode(
        POSITION_LEAF, chain.id, vault, report.epoch, instrument, size, mark_price, equity, debt, salt
    )))
    e: uint256 = equity
    d: uint256 = debt
    z: bytes32 = empty(bytes32)
    z_height: uint256 = 0
    for k: uint256 in range(depth, bound=MAX_DEPTH):
        sib_hash: bytes32 = sibling_hashes[k]
        se: uint256 = sibling_equity[k]
        sd: uint256 = sibling_debt[k]
        if sib_hash == empty(bytes32):
            if se != 0 or sd != 0:
                return False
            for _: uint256 in range(k - z_height, bound=MAX_DEPTH):
                z = keccak256(abi_encode(SUM2_NODE, z, empty(uint256), empty(uint256), z, empty(uint256),
                                         empty(uint256)))
            z_height = k
            sib_hash = z
        elif se > max_value(uint256) - e or sd > max_value(uint256) - d:
            return False
        if (index >> k) & 1 == 1:
            h = keccak256(abi_encode(SUM2_NODE, sib_hash, se, sd, h, e, d))
        else:
            h = keccak256(abi_encode(SUM2_NODE, h, e, d, sib_hash, se, sd))
        e = unsafe_add(e, se)
        d = unsafe_add(d, sd)
    if h != report.position_root or e != report.equity or d != report.debt:
        return False
    return staticcall INavOracle(oracle).is_accepted(report)


@external
@view
def pedersen_check(vault: address, epoch: uint256, commitments: DynArray[uint256[2], MAX_COMMITMENTS],
                   total_pnl: int256, proof_t: uint256[2], proof_s: uint256) -> bool:
    """
    @notice Whether the Pedersen commitments C_i = v_i·G + r_i·H open to PnLs summing to
            `total_pnl` (mod n), by the Schnorr proof (T, s) of knowledge of R with
            C_sum − V·G = R·H, for this chain, `vault` and `epoch` (zk.pedersen.verify_sum).
    @dev e = keccak(abi.encode(SCHNORR, chainid, vault, epoch, V, C_sum, T, keccak(C_1‖…‖C_m))) mod n;
         checks s·H == T + e·(C_sum − V·G). Off-curve or out-of-range inputs give false.
    @param vault The vault the commitments belong to.
    @param epoch The epoch they cover.
    @param commitments Affine (x, y) points, (0, 0) = infinity; up to 128.
    @param total_pnl The published epoch PnL V (int256, 1e8 units).
    @param proof_t The proof's T (a finite curve point).
    @param proof_s The proof's s (< n).
    @return bool True iff the proof verifies.
    """
    if proof_s >= N or not self._on_curve(proof_t) or (proof_t[0] == 0 and proof_t[1] == 0):
        return False
    c_sum: uint256[2] = [0, 0]
    for c: uint256[2] in commitments:
        if not self._on_curve(c):
            return False
        c_sum = ecadd(c_sum, c)
    encoded: Bytes[MAX_COMMITMENTS * 64 + 64] = abi_encode(commitments)
    digest: bytes32 = keccak256(slice(encoded, 64, len(commitments) * 64))
    e: uint256 = convert(keccak256(abi_encode(
        SCHNORR, chain.id, vault, epoch, total_pnl, c_sum[0], c_sum[1], proof_t[0], proof_t[1], digest
    )), uint256) % N
    # V mod n: a negative int256 is 2**256 + V as uint256, and 2**256 ≡ TWO_256_MOD_N (mod n).
    v: uint256 = convert(convert(total_pnl, bytes32), uint256) % N
    if total_pnl < 0:
        v = uint256_addmod(v, N - TWO_256_MOD_N, N)
    vg: uint256[2] = ecmul([G_X, G_Y], v)
    if vg[1] != 0:
        vg[1] = P - vg[1]
    lhs: uint256[2] = ecmul([H_X, H_Y], proof_s)
    rhs: uint256[2] = ecadd(proof_t, ecmul(ecadd(c_sum, vg), e))
    return lhs[0] == rhs[0] and lhs[1] == rhs[1]


@external
@pure
def generators() -> (uint256[2], uint256[2]):
    """
    @notice The Pedersen generators G and H (must equal zk.pedersen.G / H).
    @return uint256[2] G.
    @return uint256[2] H.
    """
    return [G_X, G_Y], [H_X, H_Y]


@internal
@pure
def _on_curve(pt: uint256[2]) -> bool:
    # y^2 == x^3 + 3 (mod p), coordinates < p; (0, 0) is the point at infinity.
    x: uint256 = pt[0]
    y: uint256 = pt[1]
    if x >= P or y >= P:
        return False
    if x == 0 and y == 0:
        return True
    return uint256_mulmod(y, y, P) == uint256_addmod(uint256_mulmod(uint256_mulmod(x, x, P), x, P), 3, P)
