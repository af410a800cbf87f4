"""A private vault end to end: the keeper posts only commitments and ciphertexts, wraps each epoch key to the
registered auditor, and the auditor - with nothing but the chain, the encrypted records and a key file -
decrypts every fill and checks it against the on-chain hash chain (`vaultcraft audit`)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select
from web3 import Web3

from keeper.store.models import EpochKeyWrap, TradeCommitment
from keeper.store.repo import Store
from tests.e2e.harness import Chain, Scenario, wait_for
from tests.fixtures.venue_process import REPO
from zk.hpke import AuditorPrivateKey
from zk.keyfiles import save_auditor_key


def _export(store: Store, vault: str, workdir: Path) -> tuple[Path, Path]:
    """What the API's auditor endpoints serve: ciphertext records and key wraps, nothing in clear."""
    with store.session() as session:
        rows = session.scalars(
            select(TradeCommitment).where(TradeCommitment.vault == vault).order_by(TradeCommitment.seq)
        ).all()
        records = [
            {
                "seq": r.seq,
                "epoch": r.epoch,
                "commitment": r.commitment,
                "ciphertext": "0x" + r.ciphertext.hex(),
            }
            for r in rows
        ]
        wraps = [
            {"epoch": w.epoch, "auditor_key": w.auditor_key, "wrap": "0x" + w.wrap.hex()}
            for w in session.scalars(select(EpochKeyWrap).where(EpochKeyWrap.vault == vault)).all()
        ]
    records_file, wraps_file = workdir / "records.json", workdir / "wraps.json"
    records_file.write_text(json.dumps(records))
    wraps_file.write_text(json.dumps(wraps))
    return records_file, wraps_file


def _vaultcraft(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vaultcraft.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_private_vault_records_decrypt_and_check_for_the_auditor(fresh_stack, sim, tmp_path: Path) -> None:
    chain = Chain(fresh_stack)
    scenario = Scenario(chain, sim, tmp_path, vault_index=1).prepare()
    auditor = AuditorPrivateKey.generate()
    save_auditor_key(tmp_path / "auditor.key", auditor)
    registry = chain.contract("AuditorRegistry", fresh_stack.deployment.auditor_registry)
    now = int(time.time())
    chain.send(
        registry.functions.add_auditor(
            scenario.vault.address, auditor.public_key().raw, now - 60, now + 86_400
        ),
        fresh_stack.key("admin"),
    )
    keeper = scenario.keeper().start()
    try:
        wait_for(lambda: scenario.epoch() >= 2, 60, "epoch 1 settled")
        scenario.fund_venue()
        scenario.trade(8, 0.05)
        fills = scenario.venue_fills()
        wait_for(lambda: scenario.trade_log.functions.trade_count().call() == len(fills), 90, "commitments")
        wait_for(lambda: scenario.verdict().store_confirmed == len(fills), 30, "store confirmed")
    finally:
        assert keeper.stop() == 0
    assert not scenario.trade_log.events.TradeFilled.get_logs(from_block=0)  # nothing in clear
    verdict = scenario.verdict()
    assert verdict.ok, verdict.problems

    store = Store.open(scenario.db_url, migrate=False)
    records, wraps = _export(store, scenario.vault.address, tmp_path)
    store.close()
    out = tmp_path / "decrypted.json"
    decrypted = _vaultcraft(
        "audit",
        "decrypt",
        "--key-file",
        str(tmp_path / "auditor.key"),
        "--records",
        str(records),
        "--wraps",
        str(wraps),
        "--vault",
        scenario.vault.address,
        "--rpc",
        fresh_stack.url,
        "--out",
        str(out),
    )
    assert decrypted.returncode == 0, decrypted.stdout + decrypted.stderr
    opened = json.loads(out.read_text())
    expected = {"0x" + Web3.keccak(text=str(f["tid"])).hex().removeprefix("0x") for f in fills}
    assert {item["fill"]["venue_fill_id_hash"] for item in opened} == expected
    check = ["audit", "check", "--rpc", fresh_stack.url, "--trade-log", scenario.trade_log.address,
             "--key-file", str(tmp_path / "auditor.key"), "--records", str(records), "--wraps", str(wraps)]
    checked = _vaultcraft(*check, "--registry", fresh_stack.deployment.auditor_registry)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # One flipped ciphertext byte: the auditor's check must fail (exit 1), not pass silently.
    data = json.loads(records.read_text())
    raw = bytearray.fromhex(data[0]["ciphertext"][2:])
    raw[10] ^= 1
    data[0]["ciphertext"] = "0x" + raw.hex()
    records.write_text(json.dumps(data))
    tampered = _vaultcraft(*check)
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
