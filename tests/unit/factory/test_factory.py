"""VaultFactory: permissioned deployment from blueprints, the on-chain registry, admin setters."""

from dataclasses import asdict, dataclass, field, replace

import boa
import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from tests.fixtures.boa_protocol import (
    actor,
    actor_key,
    at_address,
    contract_deployer,
    one_event,
    revert_reason,
)
from vaultcraft.protocol import DEFAULT_LOCKUP, DEFAULT_MIN_MANAGER_BPS

ZERO = "0x0000000000000000000000000000000000000000"
VAULT_INIT = (
    "(address,string,string,address,address,address,address,address,address,address[],uint256,address,"
    "bool,uint256,(uint16,uint16,uint16,uint16,uint16,uint16))"
)


@dataclass(frozen=True)
class Params:
    """Factory.VaultInit, field for field."""

    asset: str
    name: str = "VaultCraft Beta"
    symbol: str = "vcBETA"
    admin: str = field(default_factory=lambda: actor("admin"))
    manager: str = field(default_factory=lambda: actor("manager"))
    guardian: str = field(default_factory=lambda: actor("guardian"))
    fee_recipient: str = field(default_factory=lambda: actor("fee_recipient"))
    protocol_fee_recipient: str = ZERO
    whitelist_manager: str = field(default_factory=lambda: actor("manager"))
    keepers: tuple = field(default_factory=lambda: (Account.from_key(actor_key("keeper0")).address,))
    quorum: int = 1
    nav_oracle_blueprint: str = ZERO
    is_private: bool = False
    deposit_cap: int = 10**30
    fees: tuple = (100, 1_000, 0, 10, 10, 1_000)

    def as_tuple(self) -> tuple:
        values = asdict(self)
        values["keepers"] = list(self.keepers)
        return tuple(values.values())


@pytest.fixture
def factory(protocol):
    return protocol.factory


@pytest.fixture
def params(protocol):
    return Params(asset=protocol.token.address)


def _deploy(factory, params, sender):
    address = factory.deploy_vault(params.as_tuple(), sender=sender)
    return address, factory.get_logs()


# ---------------------------------------------------------------- constructor


def test_constructor__makes_the_deployer_admin_and_deployer_and_emits(factory, admin, protocol_recipient):
    new = contract_deployer("VaultFactory").deploy(
        factory.vault_blueprint(), factory.oracle_blueprint(), protocol_recipient, sender=admin
    )
    names = [type(e).__name__ for e in new.get_logs()]
    assert names == ["OwnershipTransferred", "BlueprintsSet", "ProtocolFeeRecipientSet", "DeployerSet"]
    assert new.owner() == admin
    assert new.is_deployer(admin)
    assert (new.vault_blueprint(), new.oracle_blueprint()) == (
        factory.vault_blueprint(),
        factory.oracle_blueprint(),
    )
    assert new.protocol_fee_recipient() == protocol_recipient
    assert new.deployment_count() == 0


def test_constructor__blueprint_without_code__reverts(factory, admin):
    with boa.reverts("factory: blueprint has no code"):
        contract_deployer("VaultFactory").deploy(
            actor("not_a_contract"), factory.oracle_blueprint(), admin, sender=admin
        )


def test_constructor__zero_fee_recipient__reverts(factory, admin):
    with boa.reverts("factory: zero address"):
        contract_deployer("VaultFactory").deploy(
            factory.vault_blueprint(), factory.oracle_blueprint(), ZERO, sender=admin
        )


# ---------------------------------------------------------------- deploy_vault and the registry


def test_deploy_vault__records_the_deployment_and_emits(protocol, factory, params, admin):
    address, logs = _deploy(factory, params, admin)

    event = [e for e in logs if type(e).__name__ == "VaultDeployed"][0]
    vault = at_address("Vault", address)
    effective = replace(
        params,
        nav_oracle_blueprint=factory.oracle_blueprint(),
        protocol_fee_recipient=factory.protocol_fee_recipient(),
    )
    params_hash = keccak(encode([VAULT_INIT], [effective.as_tuple()]))
    assert (event.vault, event.deployer, event.asset, event.nav_oracle) == (
        address,
        admin,
        protocol.token.address,
        vault.nav_oracle(),
    )
    assert (event.index, event.is_private, event.name, event.symbol) == (
        1,
        False,
        "VaultCraft Beta",
        "vcBETA",
    )
    assert event.params_hash == params_hash
    record = factory.deployments(1)
    assert (record.vault, record.deployer, record.asset, record.is_private) == (
        address,
        admin,
        protocol.token.address,
        False,
    )
    assert (record.deployed_at, record.block_number) == (
        boa.env.evm.patch.timestamp,
        boa.env.evm.patch.block_number,
    )
    assert record.params_hash == params_hash
    assert factory.deployment_count() == 2
    assert factory.index_of(address) == 2
    assert factory.is_registered(address)


def test_deploy_vault__initializes_the_vault_and_emits(factory, params, admin):
    address, logs = _deploy(factory, params, admin)
    init = [e for e in logs if type(e).__name__ == "VaultInitialized"][0]
    vault = at_address("Vault", address)
    assert init.address == address
    assert (init.asset, init.admin, init.manager, init.guardian) == (
        params.asset,
        params.admin,
        params.manager,
        params.guardian,
    )
    assert (init.fee_recipient, init.protocol_fee_recipient, init.whitelist_manager) == (
        params.fee_recipient,
        factory.protocol_fee_recipient(),
        params.whitelist_manager,
    )
    assert (init.nav_oracle, init.is_private, init.deposit_cap) == (
        vault.nav_oracle(),
        False,
        params.deposit_cap,
    )
    assert (init.lockup, init.min_manager_bps) == (DEFAULT_LOCKUP, DEFAULT_MIN_MANAGER_BPS)
    assert vault.owner() == params.admin
    oracle = at_address("NavOracle", vault.nav_oracle())
    assert tuple(oracle.config()) == params.fees
    assert oracle.vault() == address
    assert oracle.is_keeper(params.keepers[0]) and oracle.quorum() == 1


def test_deploy_vault__overrides_oracle_blueprint_and_protocol_fee_recipient(
    factory, params, admin, attacker
):
    address, _ = _deploy(
        factory,
        replace(params, protocol_fee_recipient=attacker, nav_oracle_blueprint=factory.vault_blueprint()),
        admin,
    )
    vault = at_address("Vault", address)
    assert vault.protocol_fee_recipient() == factory.protocol_fee_recipient() != attacker
    assert at_address("NavOracle", vault.nav_oracle()).quorum() == 1  # a real oracle, not the vault blueprint


def test_deploy_vault__private_vault__is_recorded_as_private(factory, params, admin):
    address, logs = _deploy(factory, replace(params, is_private=True), admin)
    assert [e for e in logs if type(e).__name__ == "VaultDeployed"][0].is_private is True
    assert factory.deployments(factory.index_of(address) - 1).is_private
    vault = at_address("Vault", address)
    assert vault.is_private() and vault.whitelisted(params.manager)


def test_deploy_vault__several__get_consecutive_indexes(factory, params, admin):
    addresses = [_deploy(factory, replace(params, symbol=f"vc{i}"), admin)[0] for i in range(3)]
    assert len(set(addresses)) == 3
    assert [factory.index_of(a) for a in addresses] == [2, 3, 4]
    assert [factory.deployments(i).vault for i in (1, 2, 3)] == addresses
    assert factory.deployment_count() == 4


def test_is_registered__for_an_address_the_factory_did_not_deploy__is_false(protocol, factory, attacker):
    assert not factory.is_registered(attacker)
    assert not factory.is_registered(protocol.oracle.address)
    assert factory.index_of(attacker) == 0
    assert factory.is_registered(protocol.vault.address)


def test_deploy_vault__by_non_deployer__reverts(factory, params, attacker, manager):
    for caller in (attacker, manager):
        # boa's own revert report crashes decoding this frame's string locals, so read the reason directly
        assert (
            revert_reason(factory.deploy_vault, params.as_tuple(), sender=caller) == "factory: not deployer"
        )
    assert factory.deployment_count() == 1


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(asset=ZERO), "vault: zero asset"),
        (dict(admin=ZERO), "vault: zero admin"),
        (dict(manager=ZERO), "vault: zero address"),
        (dict(guardian=ZERO), "vault: zero address"),
        (dict(fee_recipient=ZERO), "vault: zero address"),
        (dict(whitelist_manager=ZERO), "vault: zero address"),
        (dict(quorum=0), "nav: bad quorum"),
        (dict(quorum=2), "nav: bad quorum"),
        (dict(keepers=(ZERO,)), "nav: zero address"),
        (dict(fees=(501, 0, 0, 0, 0, 0)), "fees: above cap"),
        (dict(fees=(0, 0, 0, 0, 201, 0)), "fees: above cap"),
    ],
    ids=[
        "asset",
        "admin",
        "manager",
        "guardian",
        "fee_recipient",
        "whitelister",
        "quorum0",
        "quorum_above",
        "zero_keeper",
        "management_cap",
        "exit_cap",
    ],
)
def test_deploy_vault__with_bad_parameters__reverts_with_the_vaults_reason(
    factory, params, admin, bad, message
):
    with boa.reverts(message):
        factory.deploy_vault(replace(params, **bad).as_tuple(), sender=admin)
    assert factory.deployment_count() == 1


# ---------------------------------------------------------------- set_deployer


def test_set_deployer__grant_and_revoke__controls_deployment(factory, params, admin, manager):
    factory.set_deployer(manager, True, sender=admin)
    event = one_event(factory, "DeployerSet")
    assert (event.deployer, event.allowed) == (manager, True)
    address, _ = _deploy(factory, params, manager)
    assert factory.deployments(factory.index_of(address) - 1).deployer == manager
    factory.set_deployer(manager, False, sender=admin)
    assert one_event(factory, "DeployerSet").allowed is False
    assert revert_reason(factory.deploy_vault, params.as_tuple(), sender=manager) == "factory: not deployer"


def test_set_deployer__zero_address__reverts(factory, admin):
    with boa.reverts("factory: zero address"):
        factory.set_deployer(ZERO, True, sender=admin)


def test_set_deployer__by_non_admin__reverts(factory, attacker):
    with boa.reverts("ownable: caller is not the owner"):
        factory.set_deployer(attacker, True, sender=attacker)


# ---------------------------------------------------------------- set_blueprints


def test_set_blueprints__to_contracts__stores_and_emits(protocol, factory, admin):
    vault_bp = contract_deployer("Vault").deploy_as_blueprint()
    factory.set_blueprints(vault_bp.address, factory.oracle_blueprint(), sender=admin)
    event = one_event(factory, "BlueprintsSet")
    assert (event.vault_blueprint, event.oracle_blueprint) == (vault_bp.address, factory.oracle_blueprint())
    assert factory.vault_blueprint() == vault_bp.address


@pytest.mark.parametrize("which", ["vault", "oracle"])
def test_set_blueprints__non_contract__reverts(factory, admin, which):
    eoa = actor("not_a_contract")
    pair = (eoa, factory.oracle_blueprint()) if which == "vault" else (factory.vault_blueprint(), eoa)
    with boa.reverts("factory: blueprint has no code"):
        factory.set_blueprints(*pair, sender=admin)


def test_set_blueprints__by_non_admin__reverts(factory, attacker):
    with boa.reverts("ownable: caller is not the owner"):
        factory.set_blueprints(factory.vault_blueprint(), factory.oracle_blueprint(), sender=attacker)


# ---------------------------------------------------------------- set_protocol_fee_recipient


def test_set_protocol_fee_recipient__applies_to_future_vaults_only(protocol, factory, params, admin):
    new_recipient = actor("new_protocol_recipient")
    factory.set_protocol_fee_recipient(new_recipient, sender=admin)
    assert one_event(factory, "ProtocolFeeRecipientSet").recipient == new_recipient
    assert factory.protocol_fee_recipient() == new_recipient
    address, _ = _deploy(factory, params, admin)
    assert at_address("Vault", address).protocol_fee_recipient() == new_recipient
    assert protocol.vault.protocol_fee_recipient() == actor("protocol_recipient")


def test_set_protocol_fee_recipient__zero__reverts(factory, admin):
    with boa.reverts("factory: zero address"):
        factory.set_protocol_fee_recipient(ZERO, sender=admin)


def test_set_protocol_fee_recipient__by_non_admin__reverts(factory, attacker):
    with boa.reverts("ownable: caller is not the owner"):
        factory.set_protocol_fee_recipient(attacker, sender=attacker)


# ---------------------------------------------------------------- ownership


def test_factory_ownership__is_two_step(factory, admin):
    new_admin = actor("new_admin")
    factory.transfer_ownership(new_admin, sender=admin)
    assert factory.owner() == admin and factory.pending_owner() == new_admin
    with boa.reverts("ownable_2step: caller is not the new owner"):
        factory.accept_ownership(sender=admin)
    factory.accept_ownership(sender=new_admin)
    assert factory.owner() == new_admin
    with boa.reverts("ownable: caller is not the owner"):
        factory.set_deployer(admin, False, sender=admin)
