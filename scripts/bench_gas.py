"""`ape run bench_gas`: gas of each vault operation from Anvil receipts -> bench/results/gas.json.

Every figure is `gasUsed` of a real transaction on Anvil's default hardfork (EIP-7623 calldata floor
included). Fees are on (2%/yr management, 20% performance, 10% protocol share) so settlement pays
for fee accrual as in production; token approvals are exact amounts, not infinite.

Deposits are measured twice, because gas refunds move them by ~9.6k: the plain key is a caller who
deposits its whole token balance with an exact approval (emptying both token slots earns two 4,800 refunds);
`*_keeps_balance` is a caller left with a token balance and allowance (no refund).

As in production, the vault's TradeLog is linked to its NavOracle and the keeper posts the epoch's fills
before the NAV report, which names the log's head: every `settle_*` figure includes the oracle's
`TradeLog.covers` check, except `settle_first_with_fees` and `settle_epoch_no_trades` (one request, a
report claiming no trades: no call to the log), which run before the first fills.

The `peer_*` figures come from snekmate's plain ERC-4626 (`contracts/peers/SnekmateERC4626.vy`), deployed
on the same Anvil against the same token, so the targets' peer is measured here, not quoted.
"""

from __future__ import annotations

import click
from ape import accounts, chain, project
from ape.cli import ConnectedProviderCommand

from scripts.bench_proofs import OUT, _fill_tuple, _fills, merge_results
from scripts.deploy import deploy_all
from scripts.gas_profile import profile
from vaultcraft.ape_ops import ZERO_ADDRESS, advance, post_nav
from zk.context import VaultContext

UNIT = 10**6


def _fund(token, vault, who, amount):
    token.faucet(who, amount, sender=who)
    token.approve(vault.address, amount, sender=who)


def _new_accounts(n):
    made = [accounts.test_accounts.generate_test_account() for _ in range(n)]
    for account in made:
        account.balance = 10**20
    return made


def _trade(trade_log, vault, keeper, n: int = 3) -> None:
    """The keeper mirrors `n` venue fills of the open epoch into the trade log (one batch)."""
    first = trade_log.trade_count() + 1
    epoch = vault.epoch()
    fills = _fills(VaultContext.of(chain.chain_id, vault.address, epoch), first, n)
    trade_log.post_fills(first, epoch, [_fill_tuple(f) for f in fills], sender=keeper)


@click.command(cls=ConnectedProviderCommand)
@click.option("--profile", "profiled", multiple=True, metavar="KEY",
              help="Also break this operation's gas down by opcode and call depth (repeatable).")
def cli(profiled: tuple[str, ...]) -> None:
    receipts = _run()
    gas = {name: receipt.gas_used for name, receipt in receipts.items()}
    merge_results(gas)
    width = max(map(len, gas))
    click.echo(f"{'operation'.ljust(width)}  gasUsed")
    for name, value in gas.items():
        click.echo(f"{name.ljust(width)}  {value:>9,}")
    click.echo(f"wrote {OUT}")
    _print_peers(gas)
    for name in profiled:
        profile(receipts[name], name)


# (our operation, the peer's same operation, target from the issue)
PEER_PAIRS = (
    ("sync_deposit_new_holder", "peer_snekmate4626_deposit_new_holder", 80_000),
    ("sync_deposit_new_holder_keeps_balance", "peer_snekmate4626_deposit_new_holder_keeps_balance", 80_000),
    ("share_transfer_new_holder", "peer_snekmate4626_transfer_new_holder", 55_000),
)


def _print_peers(gas: dict) -> None:
    click.echo("\nside by side with snekmate ERC-4626 (same Anvil, same token)")
    click.echo(f"{'operation':<40}{'vaultcraft':>11}{'snekmate':>10}{'target':>9}")
    for ours, peer, target in PEER_PAIRS:
        verdict = "ok" if gas[ours] <= target else "over"
        click.echo(f"{ours:<40}{gas[ours]:>11,}{gas[peer]:>10,}{target:>9,}  {verdict}")


def _run_peer(token) -> dict:
    """snekmate's ERC-4626 on the same token: an existing holder first, then the measured new holder."""
    admin = accounts.test_accounts[0]
    peer = admin.deploy(project.SnekmateERC4626, token.address)
    seed, newcomer, keeper_of_balance, receiver = _new_accounts(4)
    for who, amount in ((seed, 100_000 * UNIT), (newcomer, 500 * UNIT), (keeper_of_balance, 1_000 * UNIT)):
        _fund(token, peer, who, amount)
    peer.deposit(100_000 * UNIT, seed, sender=seed)
    return {
        "peer_snekmate4626_deposit_new_holder": peer.deposit(500 * UNIT, newcomer, sender=newcomer),
        "peer_snekmate4626_deposit_new_holder_keeps_balance": peer.deposit(
            500 * UNIT, keeper_of_balance, sender=keeper_of_balance
        ),
        "peer_snekmate4626_transfer_new_holder": peer.transfer(receiver, 1_000, sender=seed),
    }


def _run() -> dict:
    """Runs every operation once, in the order a vault lives; returns each one's receipt by name."""
    deployment = deploy_all()
    record = deployment.vaults[0]
    vault, oracle = project.Vault.at(record.address), project.NavOracle.at(record.nav_oracle)
    token = project.MockUSDC.at(deployment.asset)
    test = accounts.test_accounts
    admin, manager, keeper = test[0], test[1], test[3]
    keys = [keeper.private_key]
    receipts: dict = {}
    trade_log = project.TradeLog.at(record.trade_log)
    if str(oracle.trade_log()).lower() == ZERO_ADDRESS:  # until deploy links it
        oracle.set_trade_log(trade_log.address, sender=admin)

    # Epoch 1: the manager seeds the vault (skin in the game), one request -> settle_epoch_1_request.
    _fund(token, vault, manager, 100_000 * UNIT)
    vault.request_deposit(100_000 * UNIT, manager, manager, sender=manager)
    post_nav(chain, vault, oracle, keeper, keys)  # first report also initialises fee clocks
    vault.deposit(100_000 * UNIT, manager, sender=manager)
    # The first fee-charging settlement pays one-time writes (high-water mark, fee recipients'
    # first balances); it is reported on its own, and the 1- and 50-request figures are steady state.
    warmup = _new_accounts(1)[0]
    _fund(token, vault, warmup, 1_000 * UNIT)
    vault.request_deposit(1_000 * UNIT, warmup, warmup, sender=warmup)
    receipts["settle_first_with_fees"] = post_nav(chain, vault, oracle, keeper, keys)
    # The same one-request settlement with a report that claims no trades (no call to the log).
    quiet = _new_accounts(1)[0]
    _fund(token, vault, quiet, 1_000 * UNIT)
    vault.request_deposit(1_000 * UNIT, quiet, quiet, sender=quiet)
    receipts["settle_epoch_no_trades"] = post_nav(chain, vault, oracle, keeper, keys)
    # From here on the keeper logs fills every epoch and each report covers the log's head.
    depositor = _new_accounts(1)[0]
    _fund(token, vault, depositor, 2_000 * UNIT)
    receipt = vault.request_deposit(1_000 * UNIT, depositor, depositor, sender=depositor)
    receipts["request_deposit_keeps_balance"] = receipt
    _trade(trade_log, vault, keeper)
    receipts["settle_epoch_1_request"] = post_nav(chain, vault, oracle, keeper, keys)
    receipts["claim_deposit"] = vault.deposit(1_000 * UNIT, depositor, sender=depositor)

    # Epoch with 50 requests: same settlement cost (per-epoch totals).
    crowd = _new_accounts(50)
    for i, who in enumerate(crowd):
        _fund(token, vault, who, 1_000 * UNIT)
        receipt = vault.request_deposit(1_000 * UNIT, who, who, sender=who)
        if i == 1:
            receipts["request_deposit"] = receipt
    _trade(trade_log, vault, keeper)
    receipts["settle_epoch_50_requests"] = post_nav(chain, vault, oracle, keeper, keys)
    for who in crowd[:3]:
        vault.deposit(1_000 * UNIT, who, sender=who)

    # Redemption after the lockup.
    advance(chain, vault.lockup() + 1)
    shares = vault.balanceOf(depositor) // 2
    receipts["request_redeem"] = vault.request_redeem(shares, depositor, depositor, sender=depositor)
    post_nav(chain, vault, oracle, keeper, keys)
    receipts["claim_redeem"] = vault.redeem(shares, depositor, sender=depositor)

    # Share transfers (unlocked shares).
    fresh = _new_accounts(1)[0]
    receipts["share_transfer_new_holder"] = vault.transfer(fresh, 1_000, sender=depositor)
    receipts["share_transfer_existing_holder"] = vault.transfer(crowd[0], 1_000, sender=depositor)

    # Synchronous deposit while the NAV is fresh.
    vault.set_limits(vault.deposit_cap(), vault.lockup(), vault.min_manager_bps(), 86_400, sender=admin)
    post_nav(chain, vault, oracle, keeper, keys)
    newcomer = _new_accounts(1)[0]
    _fund(token, vault, newcomer, 500 * UNIT)
    receipts["sync_deposit_new_holder"] = vault.sync_deposit(500 * UNIT, newcomer, sender=newcomer)
    saver = _new_accounts(1)[0]
    _fund(token, vault, saver, 1_000 * UNIT)
    receipts["sync_deposit_new_holder_keeps_balance"] = vault.sync_deposit(500 * UNIT, saver, sender=saver)

    receipts.update(_run_peer(token))
    return receipts
