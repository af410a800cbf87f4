"""NavOracle <-> TradeLog binding: the one-time link and the rule that a report's trade claim is on-chain.

Linked: a report's (trade_head, trade_count) must pass `TradeLog.covers`. Unlinked: it must claim no trades
(count 0, zero head). A claim of zero trades needs no call either way, since covers(head, 0) <=> head == 0.
"""

from dataclasses import replace

import boa
import pytest

from tests.fixtures.boa_protocol import actor, contract_deployer, one_event
from tests.unit.proofs.helpers import fill_tuple, make_fill
from zk.commitments import EMPTY_CIPHERTEXT_HASH, chain_heads, trade_commitment
from zk.context import VaultContext

HOUR = 3_600
ZERO = "0x0000000000000000000000000000000000000000"
ZERO32 = b"\x00" * 32

# Answers `vault()` and `oracle()` with whatever it is told: a log that is not the vault's own.
FAKE_LOG = """
# pragma version ~=0.4.3
vault: public(address)
oracle: public(address)

@deploy
def __init__(vault: address, oracle: address):
    self.vault = vault
    self.oracle = oracle

@external
@view
def covers(trade_head: bytes32, trade_count: uint256) -> bool:
    return True
"""


@pytest.fixture
def trade_log(nav):
    """The vault's real TradeLog, not yet linked."""
    return contract_deployer("TradeLog").deploy(nav.vault.address)


@pytest.fixture
def linked(priced, trade_log, admin):
    """`priced`, its TradeLog linked, two batches posted (seqs 1-2 and 3-5); returns (p, log, heads)."""
    p = priced
    p.oracle.set_trade_log(trade_log.address, sender=admin)
    epoch = p.vault.epoch()
    fills = [make_fill(s, s) for s in range(1, 6)]
    trade_log.post_fills(1, epoch, [fill_tuple(f) for f in fills[:2]], sender=p.keeper)
    trade_log.post_fills(3, epoch, [fill_tuple(f) for f in fills[2:]], sender=p.keeper)
    ctx = VaultContext.of(boa.env.evm.patch.chain_id, p.vault.address, epoch)
    heads = chain_heads([(trade_commitment(f, ctx), EMPTY_CIPHERTEXT_HASH) for f in fills])
    return p, trade_log, heads


# ------------------------------------------------------------------------------------------------ the link


def test_set_trade_log__by_admin__links_once_and_emits(nav, trade_log, admin):
    assert nav.oracle.trade_log() == ZERO
    nav.oracle.set_trade_log(trade_log.address, sender=admin)
    assert one_event(nav.oracle, "TradeLogLinked").trade_log == trade_log.address
    assert nav.oracle.trade_log() == trade_log.address


def test_set_trade_log__a_second_time__reverts_even_with_another_valid_log(nav, trade_log, admin):
    nav.oracle.set_trade_log(trade_log.address, sender=admin)
    other = contract_deployer("TradeLog").deploy(nav.vault.address)
    for candidate in (trade_log.address, other.address):
        with boa.reverts("nav: trade log already set"):
            nav.oracle.set_trade_log(candidate, sender=admin)
    assert nav.oracle.trade_log() == trade_log.address


@pytest.mark.parametrize("role", ["manager", "guardian", "keeper0", "attacker"])
def test_set_trade_log__by_non_admin__reverts(nav, trade_log, role):
    with boa.reverts("nav: not admin"):
        nav.oracle.set_trade_log(trade_log.address, sender=actor(role))
    assert nav.oracle.trade_log() == ZERO


def test_set_trade_log__zero_address__reverts(nav, admin):
    with boa.reverts("nav: zero address"):
        nav.oracle.set_trade_log(ZERO, sender=admin)


def test_set_trade_log__log_of_another_vault__reverts(nav, admin):
    fake = boa.loads(FAKE_LOG, actor("another_vault"), nav.oracle.address)
    with boa.reverts("nav: trade log of another vault"):
        nav.oracle.set_trade_log(fake.address, sender=admin)


def test_set_trade_log__log_posting_with_another_oracles_keepers__reverts(nav, admin):
    fake = boa.loads(FAKE_LOG, nav.vault.address, actor("another_oracle"))
    with boa.reverts("nav: trade log of another oracle"):
        nav.oracle.set_trade_log(fake.address, sender=admin)


def test_set_trade_log__an_account_without_code__reverts(nav, admin):
    with boa.reverts():
        nav.oracle.set_trade_log(actor("not_a_contract"), sender=admin)
    assert nav.oracle.trade_log() == ZERO


# ------------------------------------------------------------------------------------------------ unlinked


def test_post_report__unlinked_and_claiming_trades__reverts(priced):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: trade log not linked"):
        p.post(p.report(trade_count=1, trade_head=b"\x01" * 32))


def test_post_report__unlinked_with_a_head_but_zero_count__reverts(priced):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: trade log does not cover report"):
        p.post(p.report(trade_count=0, trade_head=b"\x01" * 32))


def test_post_report__unlinked_claiming_no_trades__is_accepted(priced):
    p = priced
    boa.env.time_travel(seconds=HOUR)
    assert p.post(p.report(trade_count=0, trade_head=ZERO32))
    assert p.oracle.reported_trade_count() == 0


# ------------------------------------------------------------------------------------------------ linked


def test_post_report__covering_a_recorded_batch_end__is_accepted_and_records_the_count(linked):
    p, log, heads = linked
    boa.env.time_travel(seconds=HOUR)
    report = p.report(trade_head=heads[4], trade_count=5)
    assert p.post(report)
    assert tuple(one_event(p.oracle, "ReportAccepted").report)[7:9] == (heads[4], 5)
    assert p.oracle.reported_trade_count() == 5
    assert p.oracle.is_accepted(report.as_tuple())


def test_post_report__covering_an_earlier_batch_end__is_accepted(linked):
    """A report may lag the log (fills posted after the snapshot): any recorded prefix is fine."""
    p, log, heads = linked
    boa.env.time_travel(seconds=HOUR)
    assert p.post(p.report(trade_head=heads[1], trade_count=2))
    assert p.oracle.reported_trade_count() == 2


def test_post_report__linked_claiming_no_trades__is_accepted(linked):
    p, log, heads = linked
    boa.env.time_travel(seconds=HOUR)
    assert p.post(p.report(trade_head=ZERO32, trade_count=0))


@pytest.mark.parametrize(
    "claim",
    [
        "mid_batch", "head_of_another_count", "beyond_the_log", "zero_head", "made_up_head",
        "head_without_count",
    ],
)
def test_post_report__with_a_trade_claim_the_log_does_not_cover__reverts(linked, claim):
    p, log, heads = linked
    head, count = {
        "mid_batch": (heads[0], 1),
        "head_of_another_count": (heads[4], 2),
        "beyond_the_log": (heads[4], 6),
        "zero_head": (ZERO32, 5),
        "made_up_head": (b"\x42" * 32, 5),
        "head_without_count": (heads[4], 0),
    }[claim]
    assert not log.covers(head, count)
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: trade log does not cover report"):
        p.post(p.report(trade_head=head, trade_count=count))
    assert p.oracle.reported_trade_count() == 0


def test_post_report__trade_count_going_back__reverts(linked):
    p, log, heads = linked
    boa.env.time_travel(seconds=HOUR)
    assert p.post(p.report(trade_head=heads[4], trade_count=5))
    boa.env.time_travel(seconds=HOUR)
    with boa.reverts("nav: trade count went back"):
        p.post(p.report(trade_head=heads[1], trade_count=2))
    assert p.post(p.report(trade_head=heads[4], trade_count=5))  # no new trades is fine


def test_post_report__a_claim_checked_before_signatures__so_a_signed_forgery_still_reverts(linked):
    """Keeper signatures do not make a claim true: a quorum-signed report naming an unrecorded head fails."""
    p, log, heads = linked
    boa.env.time_travel(seconds=HOUR)
    report = p.report(trade_head=heads[3], trade_count=4)
    signatures = p.sign(report)
    with boa.reverts("nav: trade log does not cover report"):
        p.oracle.post_report(report.as_tuple(), signatures, sender=p.keeper)


def test_resolve_quarantine__accepts_a_quarantined_report_whose_claim_was_covered(linked, guardian):
    """The claim is checked when posted; the log is append-only, so it still holds when the guardian acts."""
    p, log, heads = linked
    boa.env.time_travel(seconds=HOUR)
    report = p.report(external_assets=p.vault.external_assets() + 500 * p.unit, trade_head=heads[4],
                      trade_count=5)
    assert not p.post(report)
    log.post_fills(6, p.vault.epoch(), [fill_tuple(make_fill(6, 6))], sender=p.keeper)
    p.oracle.resolve_quarantine(report.as_tuple(), True, sender=guardian)
    assert p.oracle.reported_trade_count() == 5
    assert p.oracle.is_accepted(replace(report).as_tuple())
