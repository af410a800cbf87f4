"""Deployment of the protocol with Ape: token (local only), blueprints, factory, invite gate, vaults.

`scripts/deploy.py` is the operator entry point; the demo and the gas benchmark reuse these functions.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eth_utils import is_checksum_address, to_checksum_address

from vaultcraft.protocol import MAX_KEEPERS, FeeConfig

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
LOCAL_NETWORKS = {"local"}


class DeployConfigError(ValueError):
    """A deployment parameter is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Roles:
    admin: str
    manager: str
    guardian: str
    fee_recipient: str
    protocol_fee_recipient: str
    keepers: tuple[str, ...]
    quorum: int

    def validate(self) -> None:
        for name in ("admin", "manager", "guardian", "fee_recipient", "protocol_fee_recipient"):
            _check_address(name, getattr(self, name))
        if not 1 <= len(self.keepers) <= MAX_KEEPERS:
            raise DeployConfigError(
                f"keepers: need 1..{MAX_KEEPERS} keeper addresses, got {len(self.keepers)}"
            )
        for keeper in self.keepers:
            _check_address("keepers", keeper)
        if len(set(self.keepers)) != len(self.keepers):
            raise DeployConfigError("keepers: duplicate keeper address")
        if not 1 <= self.quorum <= len(self.keepers):
            raise DeployConfigError(f"quorum: must be 1..{len(self.keepers)}, got {self.quorum}")


@dataclass
class VaultRecord:
    name: str
    symbol: str
    address: str
    nav_oracle: str
    is_private: bool
    block: int
    trade_log: str = ZERO_ADDRESS


@dataclass
class Deployment:
    chain_id: int
    network: str
    block: int
    asset: str
    factory: str
    vault_blueprint: str
    oracle_blueprint: str
    invite_gate: str
    roles: dict
    auditor_registry: str = ZERO_ADDRESS
    proof_verifier: str = ZERO_ADDRESS
    vaults: list[VaultRecord] = field(default_factory=list)
    # Contract name -> ABI file, relative to the deployment file's folder (absolute paths also work).
    abi: dict[str, str] = field(default_factory=dict)
    # Where this deployment was read from (not serialised): ABI paths resolve against it.
    source: Path | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("source")
        return json.dumps(data, indent=2, sort_keys=True)

    def abi_path(self, name: str) -> Path:
        """The ABI file of `name`: as written, else relative to the deployment file's folder or its parent
        (files written before paths were stored relative to it), so tools need not run from one directory."""
        raw = Path(self.abi[name])
        bases = [] if self.source is None else [self.source.parent, self.source.parent.parent]
        for candidate in [raw, *(base / raw for base in bases)]:
            if candidate.is_file():
                return candidate
        raise DeployConfigError(f"ABI of {name} not found: {raw} (deployment {self.source})")

    @classmethod
    def load(cls, path: Path) -> Deployment:
        """Reads a file written by `ape run deploy`; a missing or malformed file raises DeployConfigError."""
        try:
            raw = json.loads(path.read_text())
            vaults = [VaultRecord(**item) for item in raw.pop("vaults")]
            raw.pop("source", None)  # never meaningful in a file: where it is read from decides
            return cls(**raw, vaults=vaults, source=path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DeployConfigError(f"deployment file {path}: {exc}") from exc

    def vault(self, address: str) -> VaultRecord:
        for record in self.vaults:
            if record.address.lower() == address.lower():
                return record
        raise DeployConfigError(f"vault {address} is not in the deployment of chain {self.chain_id}")


def _check_address(name: str, value: str) -> None:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 42:
        raise DeployConfigError(f"{name}: not an address: {value!r}")
    if value.lower() == ZERO_ADDRESS:
        raise DeployConfigError(f"{name}: zero address")
    if value != value.lower() and not is_checksum_address(value):
        raise DeployConfigError(f"{name}: bad checksum: {value}")


def roles_from_env(env: dict[str, str], defaults: Roles | None = None) -> Roles:
    """Roles from VAULTCRAFT_DEPLOY_* variables, falling back to `defaults` (local test accounts)."""

    def pick(key: str, fallback: str | None) -> str:
        value = env.get(f"VAULTCRAFT_DEPLOY_{key}") or fallback
        if not value:
            raise DeployConfigError(f"VAULTCRAFT_DEPLOY_{key} is required on this network")
        return value

    keepers_raw = env.get("VAULTCRAFT_DEPLOY_KEEPERS")
    keepers = tuple(k.strip() for k in keepers_raw.split(",") if k.strip()) if keepers_raw else None
    quorum_raw = env.get("VAULTCRAFT_DEPLOY_QUORUM")
    try:
        quorum = int(quorum_raw) if quorum_raw else (defaults.quorum if defaults else 1)
    except ValueError as exc:
        raise DeployConfigError(f"VAULTCRAFT_DEPLOY_QUORUM: not an integer: {quorum_raw!r}") from exc
    def default(name: str) -> str | None:
        return getattr(defaults, name) if defaults else None

    roles = Roles(
        admin=pick("ADMIN", default("admin")),
        manager=pick("MANAGER", default("manager")),
        guardian=pick("GUARDIAN", default("guardian")),
        fee_recipient=pick("FEE_RECIPIENT", default("fee_recipient")),
        protocol_fee_recipient=pick("PROTOCOL_FEE_RECIPIENT", default("protocol_fee_recipient")),
        keepers=keepers or (defaults.keepers if defaults else ()),
        quorum=quorum,
    )
    roles.validate()
    return roles


def vault_params(
    asset: str, name: str, symbol: str, roles: Roles, whitelist_manager: str, is_private: bool,
    deposit_cap: int, fees: FeeConfig,
) -> tuple:
    """Vault.VaultInit as a tuple; the factory fills in the oracle blueprint and protocol recipient."""
    if not 0 < deposit_cap < 2**256:
        raise DeployConfigError(f"deposit_cap: must be positive, got {deposit_cap}")
    return (
        asset, name, symbol, roles.admin, roles.manager, roles.guardian, roles.fee_recipient,
        roles.protocol_fee_recipient, whitelist_manager, list(roles.keepers), roles.quorum, ZERO_ADDRESS,
        is_private, deposit_cap, fees.as_tuple(),
    )


def deploy_core(project, deployer, asset: str, protocol_fee_recipient: str):
    """Blueprints, factory and invite gate: returns (factory, gate, vault blueprint, oracle blueprint)."""
    vault_bp = deployer.declare(project.Vault).contract_address
    oracle_bp = deployer.declare(project.NavOracle).contract_address
    factory = project.VaultFactory.deploy(vault_bp, oracle_bp, protocol_fee_recipient, sender=deployer)
    gate = project.InviteGate.deploy(sender=deployer)
    return factory, gate, vault_bp, oracle_bp


def deploy_proof_contracts(project, deployer):
    """The singletons every vault shares: (auditor registry, proof verifier)."""
    return project.AuditorRegistry.deploy(sender=deployer), project.ProofVerifier.deploy(sender=deployer)


def deploy_vault(project, factory, deployer, params: tuple, admin=None):
    """One vault through the factory, then its trade log, linked to the oracle by the vault's admin when
    `admin` (an Ape account) is given; otherwise the admin must call `set_trade_log` before the first
    report. Returns (vault, oracle, trade log, receipt)."""
    receipt = factory.deploy_vault(params, sender=deployer)
    event = receipt.events.filter(factory.VaultDeployed)[0]
    vault = project.Vault.at(event.vault)
    oracle = project.NavOracle.at(event.nav_oracle)
    trade_log = project.TradeLog.deploy(vault.address, sender=deployer)
    if admin is not None:
        oracle.set_trade_log(trade_log.address, sender=admin)
    return vault, oracle, trade_log, receipt


def write_abis(project, out_dir: Path) -> dict[str, str]:
    """Writes the ABIs into `out_dir` (next to the deployment file) and returns name -> path relative to the
    deployment file's folder, so the folder can be copied anywhere."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    names = ("Vault", "NavOracle", "VaultFactory", "InviteGate", "MockUSDC", "TradeLog", "AuditorRegistry",
             "ProofVerifier")
    for name in names:
        path = out_dir / f"{name}.json"
        contract_type = project.get_contract(name).contract_type
        abi = [item.model_dump(mode="json", by_alias=True) for item in contract_type.abi]
        path.write_text(json.dumps(abi, indent=1))
        paths[name] = f"{out_dir.name}/{name}.json"
    return paths


def deployments_path(network: str) -> Path:
    root = Path(os.environ.get("VAULTCRAFT_DEPLOYMENTS_DIR", "deployments"))
    return root / f"{network}.json"


def checksum(value: str) -> str:
    return to_checksum_address(value)
