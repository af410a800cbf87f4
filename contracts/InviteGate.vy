# pragma version ~=0.4.3
# pragma nonreentrancy on
"""
@title VaultCraft invite gate for private vaults
@license MIT
@author VaultCraft
@notice One gate serves every private vault that names it as whitelist manager. An invitee
        joins with an EIP-712 `Invite(vault, invitee, expiry, nonce)` ticket signed by that
        vault's current manager, without an admin transaction; each nonce works once per vault.
        The manager can also add or remove accounts directly through the gate. It lives outside
        the vault because the vault's code is at the EIP-170 limit.
@custom:security Tickets bind the vault, the invitee (the caller), an expiry and a single-use
                 nonce, under a domain bound to this chain and gate; signatures are checked with
                 snekmate's ecdsa (low-s enforced).
@custom:kill A vault's admin removes the gate by assigning another whitelist manager.
"""

from snekmate.utils import ecdsa
from snekmate.utils import eip712_domain_separator as eip712

initializes: ecdsa
initializes: eip712

exports: eip712.eip712Domain


interface IPrivateVault:
    def manager() -> address: view
    def set_whitelisted(account: address, allowed: bool): nonpayable


INVITE_TYPEHASH: constant(bytes32) = keccak256(
    "Invite(address vault,address invitee,uint256 expiry,bytes32 nonce)"
)

# @dev vault => nonce => used.
invite_used: public(HashMap[address, HashMap[bytes32, bool]])


event InviteAccepted:
    vault: indexed(address)
    invitee: indexed(address)
    nonce: bytes32


@deploy
def __init__():
    ecdsa.__init__()
    eip712.__init__("VaultCraft Invite", "1")


@external
def accept_invite(vault: address, expiry: uint256, nonce: bytes32, signature: Bytes[65]):
    """
    @notice Whitelists the caller in `vault` with a ticket signed by the vault's manager.
    @param vault The private vault (which must name this gate as whitelist manager).
    @param expiry Unix time after which the ticket is void.
    @param nonce The ticket's single-use nonce.
    @param signature The manager's EIP-712 signature.
    """
    assert block.timestamp <= expiry, "invite: expired"
    assert not self.invite_used[vault][nonce], "invite: used"
    digest: bytes32 = eip712._hash_typed_data_v4(
        keccak256(abi_encode(INVITE_TYPEHASH, vault, msg.sender, expiry, nonce))
    )
    manager: address = staticcall IPrivateVault(vault).manager()
    assert ecdsa._recover_sig(digest, signature) == manager, "invite: bad signature"
    self.invite_used[vault][nonce] = True
    log InviteAccepted(vault=vault, invitee=msg.sender, nonce=nonce)
    extcall IPrivateVault(vault).set_whitelisted(msg.sender, True)


@external
def set_whitelisted(vault: address, account: address, allowed: bool):
    """
    @notice The vault's manager adds or removes an account directly.
    @param vault The private vault.
    @param account The account.
    @param allowed Add or remove.
    """
    assert msg.sender == staticcall IPrivateVault(vault).manager(), "invite: not manager"
    extcall IPrivateVault(vault).set_whitelisted(account, allowed)
