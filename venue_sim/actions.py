"""POST /exchange: authenticate a signed action, then dispatch it to the engine.

Order of checks, as on the venue: payload shape -> signature (recovers a signer) -> signer must be a known
account or an approved agent -> vault authorisation -> expiry -> nonce (unused, in window) -> execute.
The nonce is consumed only when the action executes, even if every order in it is then rejected.
"""

from __future__ import annotations

import re
from typing import Any

from venue_sim.numbers import NumberError, parse_int
from venue_sim.orders import OrderRejected, parse_order_wire
from venue_sim.signing import SignatureError, recover_l1_signer, recover_user_signed
from venue_sim.state import VenueState

L1_ACTIONS = frozenset({"order", "cancel", "cancelByCloid", "updateLeverage"})
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def err(message: str) -> dict[str, Any]:
    return {"status": "err", "response": message}


def ok(response: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "response": response}


def handle_exchange(state: VenueState, payload: Any) -> dict[str, Any]:
    state.sync()
    if not isinstance(payload, dict) or not isinstance(payload.get("action"), dict):
        return err("Failed to deserialize the JSON body into the target type: missing action")
    action: dict[str, Any] = payload["action"]
    kind = action.get("type")
    signature = payload.get("signature")
    if signature is None:
        return err("Missing signature")
    try:
        nonce = parse_int(payload.get("nonce"), "nonce")
        expires_raw = payload.get("expiresAfter")
        expires_after = None if expires_raw is None else parse_int(expires_raw, "expiresAfter")
    except NumberError as exc:
        return err(str(exc))
    vault = payload.get("vaultAddress")
    if vault is not None and (not isinstance(vault, str) or not _ADDRESS.match(vault)):
        return err("Invalid vaultAddress")
    cfg = state.config

    try:
        if kind in L1_ACTIONS:
            signer, connection_id = recover_l1_signer(
                action, signature, vault, nonce, expires_after, cfg.mainnet
            )
        elif kind == "approveAgent":
            signer, connection_id = recover_user_signed(action, signature, cfg.mainnet), b""
            if action.get("nonce") != nonce:
                return err("Signed nonce does not match request nonce")
        else:
            return err(f"Unsupported action type {kind!r} (venue simulator)")
    except SignatureError as exc:
        return err(f"Invalid signature: {exc}")

    user = state.agents.get(signer, signer)
    if state.engine.account(user) is None:
        return err(f"User or API Wallet {signer} does not exist.")
    acting = user
    if vault is not None:
        vault = vault.lower()
        if state.vault_leaders.get(vault) != user:
            return err(f"Vault {vault} does not exist or {user} is not its leader.")
        acting = vault

    wall = state.clock.wall_now_ms()
    if expires_after is not None and expires_after < wall:
        return err(f"Action expired: expiresAfter {expires_after} is before {wall}")
    problem = state.nonces.check(
        signer, nonce, wall, cfg.nonce_set_size, cfg.nonce_past_window_ms, cfg.nonce_future_window_ms
    )
    if problem is not None:
        return err(problem)
    state.nonces.use(signer, nonce, cfg.nonce_set_size)

    tx_hash = "0x" + connection_id.hex() if connection_id else ""
    try:
        if kind == "order":
            return _orders(state, acting, action, tx_hash)
        if kind == "cancel":
            return _cancels(state, acting, action, by_cloid=False)
        if kind == "cancelByCloid":
            return _cancels(state, acting, action, by_cloid=True)
        if kind == "updateLeverage":
            return _update_leverage(state, acting, action)
        return _approve_agent(state, signer, user, action)
    finally:
        state.flush()


def _orders(state: VenueState, user: str, action: dict[str, Any], tx_hash: str) -> dict[str, Any]:
    grouping = action.get("grouping", "na")
    if grouping != "na":
        return err(f"Grouping {grouping!r} is not supported by the venue simulator (only 'na').")
    wires = action.get("orders")
    if not isinstance(wires, list) or not wires:
        return err("Order action must contain a non-empty 'orders' list")
    now = state.now_ms()
    statuses: list[Any] = []
    for item in wires:
        try:
            request = parse_order_wire(item)
        except OrderRejected as exc:
            asset = item.get("a") if isinstance(item, dict) else None
            statuses.append({"error": f"{exc} asset={asset}"})
            continue
        statuses.append(state.engine.place(user, request, now, tx_hash))
    return ok({"type": "order", "data": {"statuses": statuses}})


def _cancels(state: VenueState, user: str, action: dict[str, Any], by_cloid: bool) -> dict[str, Any]:
    cancels = action.get("cancels")
    if not isinstance(cancels, list) or not cancels:
        return err("Cancel action must contain a non-empty 'cancels' list")
    now = state.now_ms()
    statuses: list[Any] = []
    for item in cancels:
        try:
            if by_cloid:
                asset = parse_int(item["asset"], "asset")
                cloid = item["cloid"]
                if not isinstance(cloid, str):
                    raise NumberError("cloid must be a string")
                statuses.append(state.engine.cancel_by_cloid(user, asset, cloid, now))
            else:
                asset = parse_int(item["a"], "a")
                oid = parse_int(item["o"], "o")
                statuses.append(state.engine.cancel(user, asset, oid, now))
        except (KeyError, TypeError, NumberError) as exc:
            statuses.append({"error": f"Invalid cancel request: {exc}"})
    return ok({"type": "cancel", "data": {"statuses": statuses}})


def _update_leverage(state: VenueState, user: str, action: dict[str, Any]) -> dict[str, Any]:
    try:
        asset = parse_int(action.get("asset"), "asset")
        leverage = parse_int(action.get("leverage"), "leverage")
    except NumberError as exc:
        return err(str(exc))
    is_cross = action.get("isCross")
    if not isinstance(is_cross, bool):
        return err("isCross must be a boolean")
    problem = state.engine.update_leverage(user, asset, is_cross, leverage)
    return err(problem) if problem else ok({"type": "default"})


def _approve_agent(state: VenueState, signer: str, user: str, action: dict[str, Any]) -> dict[str, Any]:
    agent = action.get("agentAddress")
    if not isinstance(agent, str) or not _ADDRESS.match(agent):
        return err("Invalid agentAddress")
    if signer != user:
        return err("An API wallet cannot approve another API wallet.")
    state.approve_agent(user, agent.lower(), str(action.get("agentName") or ""))
    return ok({"type": "default"})
