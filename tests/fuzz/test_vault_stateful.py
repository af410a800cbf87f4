"""Stateful property test of the whole vault: random sequences of requests, cancels, claims, transfers,
capital movements, NAV reports in and out of bounds (with the guardian's decision), fee changes, pause and
time warps, for a 6- and an 18-decimal asset.

Each rule predicts whether the call must succeed or revert, and with which reason. Every settlement is
checked against the Python integer reference (`reference_settlement`). After every step:

- solvency: the vault's token balance covers idle + pending deposits + reserved + accrued fees (exactly);
- claimable redemption assets fit in `reserved_assets`; claimable deposit shares fit in the escrow;
- totalSupply is the sum of all balances; pending request views add up to the pending totals;
- total assets follow the in-flight custody formula; locks never exceed balances;
- fees in force and scheduled stay within the caps;
- while paused, nothing but capital returns (and fee-schedule/operator bookkeeping) changes the vault; accrued
  entry/exit fees stay in it too (fee claims wait for the unpause);
- the high-water mark, the epoch and the redemption batch never go back; quarantine flags agree.

Shutdown is not a rule here (it is irreversible and would end most sequences early); its behaviour,
including pending deposits staying cancellable after a shutdown settlement, is covered in
tests/unit/vault/test_vault_settlement.py and test_vault_pause_shutdown.py.
"""

import os

import boa
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.fixtures.boa_protocol import (
    actor,
    deploy_protocol,
    mul_div,
    one_event,
    reference_from_chain,
)
from tests.fuzz.strategies import (
    CAPS,
    DAY,
    HOUR,
    asset_amounts,
    claim_modes_deposit,
    claim_modes_redeem,
    fee_configs,
    fractions_bps,
    in_flight_moves,
    pnl_bps,
    time_warps,
)
from vaultcraft.protocol import BPS, FeeConfig

INITIAL_FEES = FeeConfig(
    management_bps=200,
    performance_bps=2_000,
    hurdle_bps=500,
    entry_bps=50,
    exit_bps=50,
    protocol_share_bps=2_000,
)
SYNC_MAX_AGE = DAY
HOLDER_ROLES = ("depositor", "second_depositor", "third_depositor")
MAX = 2**256 - 1

_BASES: dict[int, object] = {}


def _base(decimals: int):
    """One deployment per asset decimals per process, configured once; examples run in snapshots of it.
    Called from `setUpClass`: inside an example it would be rolled back with the example's snapshot.

    Starting state: three holders own unlocked shares (epoch 1 settled), 80% of the capital sits in custody
    (so redemptions can be deferred and venue PnL moves the price past the bounds), the sync path is on."""
    if decimals not in _BASES:
        p = deploy_protocol(decimals=decimals, fees=INITIAL_FEES)
        p.vault.set_limits(2**128 - 1, DAY, 0, SYNC_MAX_AGE, sender=p.admin)
        p.custody = p.add_custody()
        p.loss_sink = actor("venue_loss_sink")
        p.holders = [actor(role) for role in HOLDER_ROLES]
        for holder in p.holders:
            p.fund(holder, 10**9 * p.unit)
        p.onboard({holder: (3_000 + 1_000 * i) * p.unit + i for i, holder in enumerate(p.holders)})
        p.vault.send_to_custody(p.custody, p.vault.idle_assets() * 8 // 10, sender=p.manager)
        assert p.settle(p.token.balanceOf(p.custody), wait=DAY)
        _BASES[decimals] = p
    return _BASES[decimals]


def _now() -> int:
    return boa.env.evm.patch.timestamp


def _part(amount: int, bps: int) -> int:
    return amount * bps // BPS


class VaultMachine(RuleBasedStateMachine):
    DECIMALS = 6

    def __init__(self):
        super().__init__()
        self.p = _base(self.DECIMALS)
        self.v, self.o, self.t = self.p.vault, self.p.oracle, self.p.token
        # every account that can ever hold shares (besides the vault's own escrow)
        self.accounts = [*self.p.holders, self.p.fee_recipient, self.p.protocol_recipient]
        self.quarantined_report = None
        self.paused_fingerprint = None
        self.deposit_epoch: dict[str, int] = {}  # controller => epoch of its deposit request
        self.redeem_batch: dict[str, int] = {}  # controller => batch of its redemption request
        self.last_hwm = self.v.high_water_mark()
        self.last_epochs = (self.v.epoch(), self.v.redeem_epoch())
        self.fee_shares_owed = self.v.accrued_fee_shares()  # (fee recipient's, platform's) in escrow
        # boa's pytest plugin already runs each example in a snapshot; this one keeps examples independent
        # without the plugin too. Entered last, so a failing __init__ never leaves it open.
        self._snapshot = boa.env.anchor()
        self._snapshot.__enter__()

    def teardown(self):
        self._snapshot.__exit__(None, None, None)

    # ---------------------------------------------------------------- helpers

    def _expect(self, reason, call):
        """Runs `call`; it must succeed when `reason` is None, else revert with exactly `reason`."""
        event(f"outcome: {reason or 'ok'}")
        if reason is None:
            return call()
        with boa.reverts(reason):
            call()
        return None

    def _open_reason(self):
        if self.v.paused():
            return "vault: paused"
        if self.v.quarantined():
            return "vault: report quarantined"
        return None

    def _sync_reason(self):
        reason = self._open_reason()
        if reason is None and not (self.v.epoch() > 1 and _now() <= self.v.last_fee_at() + SYNC_MAX_AGE):
            reason = "vault: NAV too old"
        return reason

    def _fingerprint(self):
        v = self.v
        return (
            v.epoch(),
            v.redeem_epoch(),
            v.pending_deposit_assets(),
            v.pending_redeem_shares(),
            v.reserved_assets(),
            v.totalSupply(),
            v.custody_out(),
            v.external_assets(),
            v.accrued_manager_fees(),
            v.accrued_protocol_fees(),
        )

    def _check_settlement(self, ref, before_supply, aum, elapsed):
        """The settlement just posted matches the reference, and no share appeared without assets or fees."""
        charged = one_event(self.o, "FeesCharged")
        settled = one_event(self.o, "EpochSettled")
        assert (charged.management_assets, charged.performance_assets) == (ref.management, ref.performance)
        assert (charged.manager_shares, charged.protocol_shares) == (ref.manager_shares, ref.protocol_shares)
        assert charged.high_water_mark == ref.high_water_mark
        assert (settled.total_assets, settled.total_supply, settled.share_price) == (
            ref.total_assets,
            ref.supply,
            ref.share_price,
        )
        assert settled.deposit_shares == ref.deposit_shares
        if settled.deposit_shares:
            assert settled.deposit_assets > 0
        if charged.manager_shares + charged.protocol_shares:
            assert charged.management_assets + charged.performance_assets > 0
        burned = [e.shares for e in self.o.get_logs() if type(e).__name__ == "RedemptionsSettled"]
        assert bool(burned) == (ref.redeem_gross > 0 and not ref.deferred)
        minted = settled.deposit_shares + charged.manager_shares + charged.protocol_shares
        assert self.v.totalSupply() == before_supply + minted - sum(burned)
        owed = self.v.accrued_fee_shares()
        assert (owed[0] - self.fee_shares_owed[0], owed[1] - self.fee_shares_owed[1]) == (
            charged.manager_shares,
            charged.protocol_shares,
        )
        self.fee_shares_owed = owed
        # fees never above the caps: management at most 5%/yr of the AUM it was charged on
        assert charged.management_assets <= aum * CAPS[0] * elapsed // (BPS * 365 * DAY)
        assert self.v.totalAssets() == ref.total_assets

    # ---------------------------------------------------------------- requests

    @rule(who=st.integers(0, 2), amount=st.data())
    def request_deposit(self, who, amount):
        holder = self.p.holders[who]
        assets = amount.draw(asset_amounts(self.p.unit))
        reason = self._open_reason() or ("vault: shut down" if self.v.shut_down() else None)
        if reason is None and self.v.claimableDepositRequest(0, holder) > 0:
            reason = "vault: claim first"
        pending = self.v.pendingDepositRequest(0, holder)
        request_id = self._expect(
            reason, lambda: self.v.request_deposit(assets, holder, holder, sender=holder)
        )
        if reason is None:
            assert request_id == self.v.epoch()
            assert self.v.pendingDepositRequest(0, holder) == pending + assets
            self.deposit_epoch[holder] = request_id

    @rule(who=st.integers(0, 2), share=fractions_bps())
    def request_redeem(self, who, share):
        holder = self.p.holders[who]
        free = self.v.free_balance_of(holder)
        shares = max(1, _part(free, share))
        reason = self._open_reason()
        if reason is None and self.v.claimableRedeemRequest(0, holder) > 0:
            reason = "vault: claim first"
        if reason is None and shares > free:
            reason = "shares: locked or insufficient"
        batch = self._expect(reason, lambda: self.v.request_redeem(shares, holder, holder, sender=holder))
        if reason is None:
            assert batch == self.v.redeem_epoch()
            self.redeem_batch[holder] = batch

    @rule(who=st.integers(0, 2), other=st.integers(1, 2), kind=st.sampled_from(["deposit", "redeem"]))
    def request_for_a_controller_without_consent(self, who, other, kind):
        """Nobody opens a request for a controller that did not consent (it would block the controller's
        next request until it claims); nothing moves."""
        holder, controller = self.p.holders[who], self.p.holders[(who + other) % 3]
        state = lambda: (  # noqa: E731
            self._fingerprint(),
            self.v.pendingDepositRequest(0, controller),
            self.v.pendingRedeemRequest(0, controller),
            self.t.balanceOf(holder),
            self.v.balanceOf(holder),
        )
        before = state()
        if kind == "deposit":
            reason = self._open_reason() or ("vault: shut down" if self.v.shut_down() else None)
            self._expect(
                reason or "vault: controller consent",
                lambda: self.v.request_deposit(1, controller, holder, sender=holder),
            )
        else:
            self._expect(
                self._open_reason() or "vault: controller consent",
                lambda: self.v.request_redeem(1, controller, holder, sender=holder),
            )
        assert state() == before

    @rule(who=st.integers(0, 2), kind=st.sampled_from(["deposit", "redeem"]))
    def cancel(self, who, kind):
        holder = self.p.holders[who]
        if kind == "deposit":
            pending = self.v.pendingDepositRequest(0, holder)
            reason = (
                "vault: paused" if self.v.paused() else (None if pending else "vault: no pending deposit")
            )
            before = self.t.balanceOf(holder)
            self._expect(reason, lambda: self.v.cancel_deposit_request(holder, holder, sender=holder))
            if reason is None:
                assert self.t.balanceOf(holder) == before + pending
        else:
            pending = self.v.pendingRedeemRequest(0, holder)
            reason = (
                "vault: paused" if self.v.paused() else (None if pending else "vault: no pending redemption")
            )
            before = self.v.balanceOf(holder)
            self._expect(reason, lambda: self.v.cancel_redeem_request(holder, holder, sender=holder))
            if reason is None:
                assert self.v.balanceOf(holder) == before + pending

    # ---------------------------------------------------------------- claims

    @rule(
        who=st.integers(0, 2), mode=st.one_of(claim_modes_deposit, claim_modes_redeem), share=fractions_bps()
    )
    def claim(self, who, mode, share):
        if mode in ("deposit", "mint"):
            self._claim_deposit(self.p.holders[who], mode, share)
        else:
            self._claim_redeem(self.p.holders[who], mode, share)

    def _claim_deposit(self, holder, mode, share):
        claimable = self.v.claimableDepositRequest(0, holder)
        if claimable == 0:
            with boa.reverts("vault: nothing claimable"):
                self.v.deposit(1, holder, sender=holder)
            return
        total, minted = self.v.epoch_deposit(self.deposit_epoch[holder])
        assert 0 < claimable <= total
        before = self.v.balanceOf(holder)
        if mode == "mint" and minted and self.v.maxMint(holder):
            shares = max(1, _part(self.v.maxMint(holder), share))
            reason = "vault: paused" if self.v.paused() else None
            assets = self._expect(reason, lambda: self.v.mint(shares, holder, sender=holder))
            if reason is None:
                assert assets == mul_div(shares, total, minted, True) <= claimable
                assert self.v.balanceOf(holder) == before + shares
        else:
            assets = max(1, _part(claimable, share))
            reason = "vault: paused" if self.v.paused() else None
            shares = self._expect(reason, lambda: self.v.deposit(assets, holder, sender=holder))
            if reason is None:
                # pro rata of the epoch, rounded down: never more than the claim is worth
                assert shares == mul_div(assets, minted, total)
                assert shares * total <= assets * minted
                assert self.v.balanceOf(holder) == before + shares

    def _claim_redeem(self, holder, mode, share):
        claimable = self.v.claimableRedeemRequest(0, holder)
        if claimable == 0:
            with boa.reverts("vault: nothing claimable"):
                self.v.redeem(1, holder, sender=holder)
            return
        reason = "vault: paused" if self.v.paused() else None
        burned, paid_total = self.v.epoch_redeem(self.redeem_batch[holder])
        assert 0 < claimable <= burned
        before = self.t.balanceOf(holder)
        most = self.v.maxWithdraw(holder)
        assert most == mul_div(claimable, paid_total, burned)
        if mode == "withdraw" and most:
            assets = max(1, _part(most, share))
            used = self._expect(reason, lambda: self.v.withdraw(assets, holder, sender=holder))
            if reason is None:
                # exact assets out, shares consumed rounded up
                assert used == mul_div(assets, burned, paid_total, True)
                assert self.t.balanceOf(holder) == before + assets
                assert self.v.claimableRedeemRequest(0, holder) == claimable - used
        else:
            shares = max(1, _part(claimable, share))
            paid = self._expect(reason, lambda: self.v.redeem(shares, holder, sender=holder))
            if reason is None:
                assert paid == mul_div(shares, paid_total, burned)
                assert self.t.balanceOf(holder) == before + paid

    @rule(recipient=st.sampled_from(["fee_recipient", "protocol_recipient"]))
    def claim_fee_assets(self, recipient):
        caller = getattr(self.p, recipient)
        accrued = (
            self.v.accrued_manager_fees() if recipient == "fee_recipient" else self.v.accrued_protocol_fees()
        )
        before = self.t.balanceOf(caller)
        reason = "vault: paused" if self.v.paused() else (None if accrued else "vault: no fees")
        self._expect(reason, lambda: self.v.claim_fee_assets(caller, sender=caller))
        assert self.t.balanceOf(caller) == before + (accrued if reason is None else 0)

    @rule(recipient=st.sampled_from(["fee_recipient", "protocol_recipient"]))
    def claim_fee_shares(self, recipient):
        caller = getattr(self.p, recipient)
        part = 0 if recipient == "fee_recipient" else 1
        owed = self.fee_shares_owed[part]
        before = self.v.balanceOf(caller)
        reason = "vault: paused" if self.v.paused() else (None if owed else "vault: no fee shares")
        self._expect(reason, lambda: self.v.claim_fee_shares(sender=caller))
        if reason is None:
            self.fee_shares_owed = tuple(0 if i == part else x for i, x in enumerate(self.fee_shares_owed))
        assert self.v.balanceOf(caller) == before + (owed if reason is None else 0)
        assert self.v.accrued_fee_shares() == self.fee_shares_owed

    # ---------------------------------------------------------------- shares

    @rule(sender=st.integers(0, 2), receiver=st.integers(0, 4), share=fractions_bps())
    def transfer(self, sender, receiver, share):
        src, dst = self.p.holders[sender], self.accounts[receiver]
        free = self.v.free_balance_of(src)
        if free == 0:
            with boa.reverts("shares: locked or insufficient"):
                self.v.transfer(dst, 1, sender=src)
            return
        amount = max(1, _part(free, share))
        lock = self.v.lock_of(dst)
        self.v.transfer(dst, amount, sender=src)
        if dst != src:
            assert self.v.lock_of(dst) == lock  # a transfer never moves or extends a lock

    # ---------------------------------------------------------------- synchronous path

    @rule(
        who=st.integers(0, 2),
        kind=st.sampled_from(["deposit", "redeem"]),
        share=fractions_bps(),
        amount=st.data(),
    )
    def sync(self, who, kind, share, amount):
        if kind == "deposit":
            self._sync_deposit(self.p.holders[who], amount.draw(asset_amounts(self.p.unit)))
        else:
            self._sync_redeem(self.p.holders[who], share)

    def _sync_deposit(self, holder, assets):
        reason = self._sync_reason() or ("vault: shut down" if self.v.shut_down() else None)
        if reason is None:
            fee = mul_div(assets, self.o.config()[3], BPS, True)
            if mul_div(assets - fee, self.v.totalSupply() + 1, self.v.totalAssets() + 1) == 0:
                reason = "vault: zero shares"
        supply = self.v.totalSupply()
        shares = self._expect(reason, lambda: self.v.sync_deposit(assets, holder, sender=holder))
        if reason is None:
            assert shares > 0 and self.v.totalSupply() == supply + shares

    def _sync_redeem(self, holder, share):
        free = self.v.free_balance_of(holder)
        if free == 0:
            return
        shares = max(1, _part(free, share))
        reason = self._sync_reason()
        if reason is None and self.v.convertToAssets(shares) > self.v.idle_assets():
            reason = "vault: idle too low"
        self._expect(reason, lambda: self.v.sync_redeem(shares, holder, holder, sender=holder))

    @precondition(lambda self: not self.v.paused() and not self.v.quarantined())
    @rule(amount=st.data())
    def sync_round_trip_never_pays_more(self, amount):
        """Deposit and immediately redeem at the same price (lockup 0, in a throwaway snapshot)."""
        if self._sync_reason() is not None or self.v.shut_down():
            return
        holder = self.p.holders[0]
        assets = amount.draw(asset_amounts(self.p.unit))
        with boa.env.anchor():
            self.v.set_limits(2**128 - 1, 0, 0, SYNC_MAX_AGE, sender=self.p.admin)
            fee = mul_div(assets, self.o.config()[3], BPS, True)
            if mul_div(assets - fee, self.v.totalSupply() + 1, self.v.totalAssets() + 1) == 0:
                return
            shares = self.v.sync_deposit(assets, holder, sender=holder)
            if self.v.convertToAssets(shares) > self.v.idle_assets():
                return
            back = self.v.sync_redeem(shares, holder, holder, sender=holder)
            assert back <= assets

    # ---------------------------------------------------------------- capital

    @rule(kind=st.sampled_from(["send", "return"]), share=fractions_bps())
    def move_capital(self, kind, share):
        if kind == "send":
            self._send_to_custody(share)
        else:
            self._return_from_custody(share)

    def _send_to_custody(self, share):
        idle = self.v.idle_assets()
        amount = _part(idle, share)
        reason = "vault: paused" if self.v.paused() else ("vault: shut down" if self.v.shut_down() else None)
        reason = reason or (None if amount else "vault: idle too low")
        total = self.v.totalAssets()
        self._expect(reason, lambda: self.v.send_to_custody(self.p.custody, amount, sender=self.p.manager))
        assert self.v.totalAssets() == total

    def _return_from_custody(self, share):
        amount = _part(self.t.balanceOf(self.p.custody), share)
        if amount == 0:
            return
        total, idle = self.v.totalAssets(), self.v.idle_assets()
        self.v.return_from_custody(self.p.custody, amount, sender=self.p.manager)
        assert self.v.totalAssets() == total
        assert self.v.idle_assets() == idle + amount

    # ---------------------------------------------------------------- NAV reports

    @precondition(lambda self: not self.v.paused() and not self.v.quarantined())
    @rule(pnl=pnl_bps(), extra=st.integers(0, 2 * DAY))
    def post_report(self, pnl, extra):
        self._report(pnl, extra, None, 0)

    @precondition(lambda self: not self.v.paused() and not self.v.quarantined())
    @rule(pnl=pnl_bps(), extra=st.integers(0, 2 * DAY), move=in_flight_moves, share=fractions_bps())
    def post_report_with_capital_in_flight(self, pnl, extra, move, share):
        self._report(pnl, extra, move, share)

    def _report(self, pnl, extra, move, share):
        p = self.p
        boa.env.time_travel(seconds=HOUR + extra)
        held = self.t.balanceOf(p.custody)
        change = abs(_part(held, pnl))
        if pnl > 0:
            self.t.faucet(p.custody, change, sender=p.custody)  # the venue made money
        elif pnl < 0:
            self.t.transfer(p.loss_sink, change, sender=p.custody)  # the venue lost money
        snapshot = p.report(self.t.balanceOf(p.custody))
        # capital moving between the snapshot and the post must be neither lost nor double-counted
        if move == "send" and not self.v.shut_down() and _part(self.v.idle_assets(), share):
            self.v.send_to_custody(p.custody, _part(self.v.idle_assets(), share), sender=p.manager)
        elif move == "return" and _part(self.t.balanceOf(p.custody), share):
            self.v.return_from_custody(p.custody, _part(self.t.balanceOf(p.custody), share), sender=p.manager)
        self._post(snapshot)

    def _aum(self, report) -> int:
        """Assets the settlement will value: idle + the report's valuation adjusted for in-flight moves."""
        v = self.v
        return (
            v.idle_assets()
            + report.external_assets
            + (v.custody_out() - report.custody_out)
            - (v.custody_in() - report.custody_in)
        )

    def _post(self, report):
        elapsed = _now() - self.v.last_fee_at()
        ref = reference_from_chain(
            self.p, report.external_assets, elapsed, report.custody_out, report.custody_in
        )
        supply, aum = self.v.totalSupply(), self._aum(report)
        if self.p.post(report):
            event(
                f"report: applied{', deferred' if ref.deferred else ''}{', fees' if ref.management else ''}"
                f"{', performance' if ref.performance else ''}"
            )
            self._check_settlement(ref, supply, aum, elapsed)
        else:
            logged = one_event(self.o, "ReportQuarantined")
            assert logged.struct_hash == self.o.quarantined() != b"\x00" * 32
            assert self.v.quarantined()
            assert self.v.totalSupply() == supply
            self.quarantined_report = report
            event("report: quarantined")

    @precondition(lambda self: self.v.paused() and not self.v.quarantined())
    @rule()
    def post_report_while_paused(self):
        boa.env.time_travel(seconds=HOUR)
        report = self.p.report(self.t.balanceOf(self.p.custody))
        with boa.env.anchor():  # would it be applied (not quarantined) if the vault were running?
            self.v.unpause(sender=self.p.admin)
            applied = self.p.post(report)
        if applied:
            with boa.reverts("vault: paused"):
                self.p.post(report)

    @precondition(lambda self: self.v.quarantined())
    @rule(accept=st.booleans())
    def resolve_quarantine(self, accept):
        report = self.quarantined_report
        guardian = self.p.guardian
        if accept and self.v.paused():
            with boa.reverts("vault: paused"):
                self.o.resolve_quarantine(report.as_tuple(), True, sender=guardian)
            return
        if accept:
            elapsed = _now() - self.v.last_fee_at()
            ref = reference_from_chain(
                self.p, report.external_assets, elapsed, report.custody_out, report.custody_in
            )
            supply, aum = self.v.totalSupply(), self._aum(report)
            self.o.resolve_quarantine(report.as_tuple(), True, sender=guardian)
            self._check_settlement(ref, supply, aum, elapsed)
        else:
            epoch = self.v.epoch()
            self.o.resolve_quarantine(report.as_tuple(), False, sender=guardian)
            assert self.v.epoch() == epoch
        assert not self.v.quarantined()
        self.quarantined_report = None

    # ---------------------------------------------------------------- admin and time

    @rule(new=fee_configs())
    def set_fees(self, new):
        old = tuple(self.o.config())
        if self.o.pending_effective_at() and _now() >= self.o.pending_effective_at():
            old = tuple(self.o.pending())  # a due schedule applies first
        self.o.set_fees(new.as_tuple(), sender=self.p.admin)
        now_in_force = tuple(self.o.config())
        # nothing that costs holders more takes effect immediately
        for i, (before, after) in enumerate(zip(old, now_in_force, strict=True)):
            assert after >= before if i == 2 else after <= before
        if now_in_force != new.as_tuple():
            assert self.o.pending_effective_at() == _now() + self.o.notice_delay()
            assert tuple(self.o.pending()) == new.as_tuple()

    @rule()
    def toggle_pause(self):
        if not self.v.paused():
            with boa.reverts("vault: not guardian"):
                self.v.pause(sender=self.p.manager)
            self.v.pause(sender=self.p.guardian)
            self.paused_fingerprint = self._fingerprint()
        else:
            with boa.reverts("ownable: caller is not the owner"):
                self.v.unpause(sender=self.p.guardian)
            self.v.unpause(sender=self.p.admin)
            self.paused_fingerprint = None

    @precondition(lambda self: not self.v.shut_down())
    @rule(roll=st.integers(0, 3))
    def shutdown(self, roll):
        """Rare (one roll in four): after it, no new capital and no capital out; pending deposits are not
        settled and stay cancellable; redemptions, claims and reports go on."""
        if roll:
            return
        self.v.shutdown(sender=self.p.admin)
        event("shut down")

    @rule(seconds=time_warps())
    def warp(self, seconds):
        boa.env.time_travel(seconds=seconds)

    # ---------------------------------------------------------------- invariants

    @invariant()
    def solvent(self):
        v = self.v
        owed = (
            v.idle_assets()
            + v.pending_deposit_assets()
            + v.reserved_assets()
            + v.accrued_manager_fees()
            + v.accrued_protocol_fees()
        )
        assert self.t.balanceOf(v) >= owed
        assert self.t.balanceOf(v) == owed  # no donations in this machine: the books are exact

    @invariant()
    def claims_fit_their_backing(self):
        v = self.v
        holders = self.p.holders
        assert sum(v.maxWithdraw(h) for h in holders) <= v.reserved_assets()
        # the escrow holds unclaimed deposit shares, shares queued for redemption and fee shares
        assert sum(v.maxMint(h) for h in holders) <= (
            v.balanceOf(v) - v.pending_redeem_shares() - sum(v.accrued_fee_shares())
        )
        assert sum(v.pendingDepositRequest(0, h) for h in holders) == v.pending_deposit_assets()
        assert sum(v.pendingRedeemRequest(0, h) for h in holders) == v.pending_redeem_shares()

    @invariant()
    def supply_is_the_sum_of_balances(self):
        v = self.v
        assert v.totalSupply() == sum(v.balanceOf(a) for a in self.accounts) + v.balanceOf(v)
        for holder in self.p.holders:
            locked, _ = v.lock_of(holder)
            assert locked <= v.balanceOf(holder)
            assert v.free_balance_of(holder) == v.balanceOf(holder) - locked

    @invariant()
    def total_assets_follow_in_flight_custody(self):
        v = self.v
        assert v.totalAssets() == (
            v.idle_assets()
            + v.external_assets()
            + v.custody_out()
            - v.reported_custody_out()
            - (v.custody_in() - v.reported_custody_in())
        )

    @invariant()
    def fees_within_caps(self):
        for config in (self.o.config(), self.o.pending()):
            assert all(rate <= cap for rate, cap in zip(config, CAPS, strict=True))

    @invariant()
    def monotone_and_consistent(self):
        v = self.v
        hwm, epochs = v.high_water_mark(), (v.epoch(), v.redeem_epoch())
        assert hwm >= self.last_hwm
        assert epochs[0] >= self.last_epochs[0] and epochs[1] >= self.last_epochs[1]
        assert epochs[1] <= epochs[0]
        self.last_hwm, self.last_epochs = hwm, epochs
        assert v.quarantined() == (self.o.quarantined() != b"\x00" * 32)

    @invariant()
    def paused_vault_does_not_move(self):
        if self.paused_fingerprint is not None:
            assert self._fingerprint() == self.paused_fingerprint


class VaultMachine18(VaultMachine):
    DECIMALS = 18


# An example is 30 steps, each followed by ~50 view calls for the invariants: ~1 s of CPU per example.
# Bound the counts whatever the profile says: quick 15 per asset (~30 s for both), ci 60 per asset
# (~2 min for both; the unit tests add ~45 s).
_EXAMPLES = 60 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 15
for _machine in (VaultMachine, VaultMachine18):
    _machine.TestCase.settings = settings(
        settings.default,
        max_examples=min(settings.default.max_examples, _EXAMPLES),
        stateful_step_count=30,
    )
    # deploy outside any example (boa's plugin wraps each example in a snapshot that is rolled back)
    _machine.TestCase.setUpClass = classmethod(lambda cls, d=_machine.DECIMALS: _base(d))

TestVault6Decimals = VaultMachine.TestCase
TestVault18Decimals = VaultMachine18.TestCase
