# pragma version ~=0.4.3
# pragma nonreentrancy on
"""
@title VaultCraft factory and deployment registry
@license MIT
@author VaultCraft
@notice Deploys vaults (and, through each vault's constructor, its NAV oracle) from blueprints
        and records every deployment on-chain: who deployed it, when, and a hash of its
        parameters. Only deployers the admin permitted may deploy; the registry is what the
        keeper and API enumerate.
@custom:security Deployment is permissioned and every record is written in the same transaction
                 as the deployment, so the registry cannot list a vault the factory did not make.
@custom:kill The admin revokes deployers or swaps blueprints; deployed vaults are unaffected.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step

from .modules import fees

initializes: ownable
initializes: ownable_2step[ownable := ownable]

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)


MAX_KEEPERS: constant(uint256) = 16


# Must match Vault.VaultInit field for field (ABI of the blueprint constructor).
struct VaultInit:
    asset: address
    name: String[64]
    symbol: String[32]
    admin: address
    manager: address
    guardian: address
    fee_recipient: address
    protocol_fee_recipient: address
    whitelist_manager: address
    keepers: DynArray[address, MAX_KEEPERS]
    quorum: uint256
    nav_oracle_blueprint: address
    is_private: bool
    deposit_cap: uint256
    fees: fees.FeeConfig


struct Deployment:
    vault: address
    deployer: address
    asset: address
    is_private: bool
    deployed_at: uint256
    block_number: uint256
    params_hash: bytes32


interface IVaultView:
    def nav_oracle() -> address: view


# @dev Blueprints the vault and its NAV oracle are created from.
vault_blueprint: public(address)
oracle_blueprint: public(address)
# @dev Protocol fee recipient written into every new vault.
protocol_fee_recipient: public(address)
# @dev Accounts allowed to deploy.
is_deployer: public(HashMap[address, bool])
# @dev Registry: index => deployment, and vault => index + 1 (0 = not ours).
deployments: public(HashMap[uint256, Deployment])
deployment_count: public(uint256)
index_of: public(HashMap[address, uint256])


event DeployerSet:
    deployer: indexed(address)
    allowed: bool

event BlueprintsSet:
    vault_blueprint: address
    oracle_blueprint: address

event ProtocolFeeRecipientSet:
    recipient: indexed(address)

event VaultDeployed:
    vault: indexed(address)
    deployer: indexed(address)
    asset: indexed(address)
    nav_oracle: address
    index: uint256
    is_private: bool
    name: String[64]
    symbol: String[32]
    params_hash: bytes32


@deploy
def __init__(vault_blueprint: address, oracle_blueprint: address, protocol_fee_recipient: address):
    """
    @dev The deployer becomes admin and a permitted deployer.
    """
    ownable.__init__()
    ownable_2step.__init__()
    self._set_blueprints(vault_blueprint, oracle_blueprint)
    self._set_protocol_fee_recipient(protocol_fee_recipient)
    self.is_deployer[msg.sender] = True
    log DeployerSet(deployer=msg.sender, allowed=True)


@external
def deploy_vault(params: VaultInit) -> address:
    """
    @notice Deploys a vault and its NAV oracle and records the deployment.
    @param params Vault parameters; `nav_oracle_blueprint` and `protocol_fee_recipient` are
           overwritten with the factory's.
    @return address The new vault.
    """
    assert self.is_deployer[msg.sender], "factory: not deployer"
    vault_init: VaultInit = params
    vault_init.nav_oracle_blueprint = self.oracle_blueprint
    vault_init.protocol_fee_recipient = self.protocol_fee_recipient
    vault: address = create_from_blueprint(self.vault_blueprint, vault_init, code_offset=3)
    index: uint256 = self.deployment_count
    params_hash: bytes32 = keccak256(abi_encode(vault_init))
    self.deployments[index] = Deployment(
        vault=vault, deployer=msg.sender, asset=vault_init.asset, is_private=vault_init.is_private,
        deployed_at=block.timestamp, block_number=block.number, params_hash=params_hash,
    )
    self.deployment_count = index + 1
    self.index_of[vault] = index + 1
    log VaultDeployed(vault=vault, deployer=msg.sender, asset=vault_init.asset,
                      nav_oracle=staticcall IVaultView(vault).nav_oracle(), index=index,
                      is_private=vault_init.is_private, name=vault_init.name, symbol=vault_init.symbol, params_hash=params_hash)
    return vault


@external
@view
def is_registered(vault: address) -> bool:
    """
    @notice Whether `vault` was deployed by this factory.
    @param vault The address to check.
    @return bool True for a registered vault.
    """
    return self.index_of[vault] != 0


@external
def set_deployer(deployer: address, allowed: bool):
    """
    @notice Admin permits or revokes a deployer.
    @param deployer The account.
    @param allowed Permit or revoke.
    """
    ownable._check_owner()
    assert deployer != empty(address), "factory: zero address"
    self.is_deployer[deployer] = allowed
    log DeployerSet(deployer=deployer, allowed=allowed)


@external
def set_blueprints(vault_blueprint: address, oracle_blueprint: address):
    """
    @notice Admin replaces the blueprints used for future deployments.
    @param vault_blueprint Blueprint of Vault.vy.
    @param oracle_blueprint Blueprint of NavOracle.vy.
    """
    ownable._check_owner()
    self._set_blueprints(vault_blueprint, oracle_blueprint)


@external
def set_protocol_fee_recipient(recipient: address):
    """
    @notice Admin sets the platform's fee recipient for future vaults.
    @param recipient The account.
    """
    ownable._check_owner()
    self._set_protocol_fee_recipient(recipient)


@internal
def _set_blueprints(vault_blueprint: address, oracle_blueprint: address):
    assert vault_blueprint.is_contract and oracle_blueprint.is_contract, "factory: blueprint has no code"
    self.vault_blueprint = vault_blueprint
    self.oracle_blueprint = oracle_blueprint
    log BlueprintsSet(vault_blueprint=vault_blueprint, oracle_blueprint=oracle_blueprint)


@internal
def _set_protocol_fee_recipient(recipient: address):
    assert recipient != empty(address), "factory: zero address"
    self.protocol_fee_recipient = recipient
    log ProtocolFeeRecipientSet(recipient=recipient)
