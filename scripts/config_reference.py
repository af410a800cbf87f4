"""Print the configuration reference (Markdown tables) from the settings models themselves.

    .venv/bin/python -m scripts.config_reference            # all components
    .venv/bin/python -m scripts.config_reference keeper api  # some of them

Components: `keeper` (keeper.config.KeeperSettings, VAULTCRAFT_KEEPER_*), `api` (api.settings.ApiSettings,
VAULTCRAFT_API_*, nested fields joined with `__`), `trading` (api.trading.settings.TradingSettings,
VAULTCRAFT_API_TRADING_*) and `deploy` (scripts/deploy.py and vaultcraft/deploy.py read os.environ directly,
so that table is written out here and checked against the source text of those files).

The "meaning" column is the field's pydantic `description` when it has one, otherwise the comment lines
written directly above the field in the source, otherwise a short note kept in `NOTES` below. Nothing is
imported that needs a secret: defaults are read from the model fields, never by instantiating a model.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Fields that carry neither a description nor a comment in the source.
NOTES: dict[tuple[str, str], str] = {
    ("keeper", "data_dir"):
        "Directory of the default SQLite store (`<data_dir>/keeper.db`, WAL); unused when "
    "`db_url` is set.",
    ("keeper", "db_url"): "SQLAlchemy URL of the store (`postgresql://...` uses psycopg2); default SQLite in "
    "`data_dir`.",
    ("keeper", "venue_name"):
        "Venue name recorded with every fill and checkpoint (`hyperliquid` also for the "
    "local simulator, which speaks its protocol).",
    ("keeper", "venue_url"):
        "Venue base URL (`/info`, `/exchange`, `/ws`); the default is the local simulator.",
    ("keeper", "venue_private_key"):
        "Venue signing key (32-byte hex). Required, from env or `venue_key_file`; "
    "placeholders are refused.",
    ("keeper", "venue_key_file"): "File holding the venue signing key (alternative to `venue_private_key`).",
    ("keeper", "lease_name"):
        "Leader lease name; the effective key is `<lease_name>:<vault>` when `vault` is "
    "set (one leader per vault).",
    ("keeper", "lease_ttl_ms"):
        "Leader lease lifetime; renewed every ttl/3. A standby takes over after at most "
    "this long.",
    ("keeper", "log_level"): "structlog JSON log level.",
    ("keeper", "rpc_url"): "JSON-RPC URL of the chain. Unset = chain duties off (ingest only).",
    ("keeper", "deployment_file"): "`deployments/<network>.json` written by `ape run deploy`. Required when "
    "`rpc_url` is set.",
    ("keeper", "vault"): "Address of the vault this keeper serves. Required when `rpc_url` is set.",
    ("keeper", "keeper_keys"):
        "Comma-separated keeper private keys: the first sends transactions, all sign NAV "
    "reports. Required when `rpc_url` is set.",
    ("keeper", "keeper_keys_file"): "File with the keeper keys (comma- or newline-separated).",
    ("keeper", "salt_secret_file"): "File holding the salt secret (alternative to `salt_secret`).",
    ("keeper", "confirmations"): "Blocks an outbox transaction must be deep before it counts as confirmed.",
    ("keeper", "epoch_interval_s"): "Wall-clock length of a NAV epoch before the keeper closes it (the "
    "oracle's `min_report_delay` applies on top).",
    ("keeper", "nav_max_failures"): "Failed report attempts for one epoch after which the NAV engine halts "
    "with an alert.",
    ("keeper", "chain_tick_ms"): "Pause between chain-duty steps (batching, outbox, NAV) of the leader.",
    ("keeper", "rebroadcast_after_ms"):
        "Rebroadcast the stored signed bytes of a sent transaction after this "
    "long without a receipt; after 3 attempts the fee is bumped 25%.",
    ("api", "chain_id"): "Chain id in the EIP-712 domain of signed actions and login challenges.",
    ("api", "login_challenge_ttl_s"): "Lifetime of a holder login challenge.",
    ("api", "readiness_timeout_s"): "Timeout of each `/readyz` probe and of the reconciliation provider in "
    "`/v1/status`.",
    ("api", "rate_default"): "Rate limit of ordinary routes: token bucket per client IP and per API key.",
    ("api", "rate_admin"): "Rate limit of admin-policy routes (`admin` scope, `PUT .../risk`).",
    ("trading", "venue_url"): "Venue base URL the trading API sends orders to.",
    ("trading", "venue_name"): "Venue name (store rows and audit log).",
    ("trading", "venue_timeout_s"): "HTTP timeout of venue calls.",
    ("trading", "stream_poll_ms"): "How often the WebSocket stream polls the store for changes.",
    ("trading", "stream_auth_timeout_s"): "How long a stream client has to send its auth message.",
}

LEAF_MEANING = {
    "burst": "Bucket capacity ({bucket}).",
    "tokens": "Tokens refilled every `period_s` ({bucket}).",
    "period_s": "Refill period in seconds ({bucket}).",
}

DEPLOY_ROWS: list[tuple[str, str, str]] = [
    ("VAULTCRAFT_DEPLOYER_KEY", "required off `local`",
     "Deployer private key (secret). Imported into an Ape account alias `vaultcraft-deployer-<addr6>`."),
    ("VAULTCRAFT_DEPLOYER_PASSPHRASE", "random per run",
     "Passphrase of that Ape account. Unset: a random one, so a later run on the same machine finds the "
     "alias but cannot unlock it - set it (from the secret store) or delete the alias."),
    ("VAULTCRAFT_DEPLOY_ASSET", "required off `local`",
     "ERC-20 asset address (on `local` a MockUSDC with 6 decimals is deployed instead)."),
    ("VAULTCRAFT_DEPLOY_ADMIN", "Anvil account 0 on `local`; else required",
     "Vault admin (owner): roles, custody whitelist, limits, keepers, safeguards, fees, unpause, shutdown."),
    ("VAULTCRAFT_DEPLOY_MANAGER", "Anvil account 1 on `local`; else required",
     "Manager: moves idle assets to whitelisted custody and back; signs invites and risk templates."),
    ("VAULTCRAFT_DEPLOY_GUARDIAN", "Anvil account 2 on `local`; else required",
     "Guardian: pauses; accepts or rejects quarantined NAV reports."),
    ("VAULTCRAFT_DEPLOY_FEE_RECIPIENT", "Anvil account 4 on `local`; else required",
     "Receives management/performance fee shares and entry/exit fee assets."),
    ("VAULTCRAFT_DEPLOY_PROTOCOL_FEE_RECIPIENT", "Anvil account 5 on `local`; else required",
     "Receives the protocol's share of fees; also the factory's protocol fee recipient."),
    ("VAULTCRAFT_DEPLOY_KEEPERS", "Anvil account 3 on `local`; else required",
     "Comma-separated keeper addresses registered in each vault's NavOracle (1..16, no duplicates)."),
    ("VAULTCRAFT_DEPLOY_QUORUM", "1",
     "Keeper signatures a NAV report needs (1..number of keepers)."),
    ("VAULTCRAFT_DEPLOYMENTS_DIR", "deployments",
     "Where `deployments/<network>.json` and the ABIs are written."),
]


def _comments_above(cls: type, name: str) -> str:
    """The `#` comment block written directly above `name: ...` in the class body (possibly inherited)."""
    try:
        lines = inspect.getsource(cls).splitlines()
    except (OSError, TypeError):
        return ""
    pattern = re.compile(rf"^\s+{re.escape(name)}\s*:")
    for i, line in enumerate(lines):
        if pattern.match(line):
            block: list[str] = []
            j = i - 1
            while j >= 0 and lines[j].strip().startswith("#"):
                block.insert(0, lines[j].strip().lstrip("#").strip())
                j -= 1
            return " ".join(block)
    return ""


def _default(field: FieldInfo) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "**required**"
    value: Any = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return f"`{value.get_secret_value()}`"
    if isinstance(value, BaseModel):
        return f"`{json.dumps(value.model_dump(mode='json'), separators=(',', ':'))}`"
    if isinstance(value, dict | list):
        return f"`{json.dumps(value)}`"
    if isinstance(value, Path):
        return f"`{value}`"
    return f"`{value}`"


def _type(field: FieldInfo) -> str:
    text = str(field.annotation).replace("typing.", "").replace("pathlib.", "")
    text = re.sub(r"<class '([\w.]+)'>", r"\1", text)
    text = text.replace("pydantic.types.", "").replace("NoneType", "None")
    text = re.sub(r"\b[\w.]+\.RatePolicy\b", "RatePolicy (JSON)", text)
    if text.startswith("dict["):
        text += " (JSON)"
    return text


_BOUNDS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _constraint(meta: object) -> str:
    for attr, sign in _BOUNDS.items():
        if hasattr(meta, attr):
            return f"{sign} {getattr(meta, attr)}"
    return ""


def _meaning(component: str, cls: type, name: str, field: FieldInfo) -> str:
    parts = []
    # A note here wins over a source comment: some comments head a group of fields, not this one.
    described = field.description or NOTES.get((component, name)) or _comments_above(cls, name)
    if described:
        parts.append(described)
    constraints = [_constraint(m) for m in field.metadata]
    if any(constraints):
        parts.append("Allowed: " + ", ".join(c for c in constraints if c) + ".")
    if "SecretStr" in _type(field):
        parts.append("**Secret.**")
    return " ".join(parts).replace("|", "\\|")


def _rows(component: str, cls: type[BaseModel], prefix: str, nested: str | None) -> list[list[str]]:
    rows = []
    for name, field in cls.model_fields.items():
        env = f"{prefix}{name.upper()}"
        rows.append([f"`{name}`", f"`{env}`", _type(field).replace("|", "\\|"), _default(field),
                     _meaning(component, cls, name, field)])
        default = field.default
        if nested and isinstance(default, BaseModel):
            # One nested env var overrides one leaf (nested_model_default_partial_update=True).
            for sub, sub_field in type(default).model_fields.items():
                inner = getattr(default, sub)
                if isinstance(inner, BaseModel):
                    for leaf in type(inner).model_fields:
                        rows.append([
                            f"`{name}.{sub}.{leaf}`",
                            f"`{env}{nested}{sub.upper()}{nested}{leaf.upper()}`",
                            "int",
                            f"`{getattr(inner, leaf)}`",
                            LEAF_MEANING.get(leaf, leaf).format(bucket=sub.replace("per_", "per ")),
                        ])
                else:
                    rows.append([f"`{name}.{sub}`", f"`{env}{nested}{sub.upper()}`", _type(sub_field),
                                 f"`{inner}`", ""])
    return rows


def _table(rows: list[list[str]], header: list[str]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


HEADER = ["setting", "environment variable", "type", "default", "meaning"]


def keeper() -> str:
    from keeper.config import KeeperSettings

    return _table(_rows("keeper", KeeperSettings, "VAULTCRAFT_KEEPER_", None), HEADER)


def api() -> str:
    from api.settings import ApiSettings

    return _table(_rows("api", ApiSettings, "VAULTCRAFT_API_", "__"), HEADER)


def trading() -> str:
    from api.trading.settings import TradingSettings

    return _table(_rows("trading", TradingSettings, "VAULTCRAFT_API_TRADING_", None), HEADER)


def deploy() -> str:
    sources = "".join(
        (ROOT / p).read_text() for p in ("scripts/deploy.py", "vaultcraft/deploy.py")
    )
    for env, _, _ in DEPLOY_ROWS:
        key = env.removeprefix("VAULTCRAFT_DEPLOY_")
        if env not in sources and f'"{key}"' not in sources:
            raise SystemExit(
                f"config_reference: {env} is no longer read by the deploy code; update DEPLOY_ROWS"
            )
    rows = [[f"`{env}`", default, meaning] for env, default, meaning in DEPLOY_ROWS]
    return _table(rows, ["environment variable", "default", "meaning"])


COMPONENTS = {
    "keeper": ("Keeper (`keeper/config.py`, `KeeperSettings`)", keeper),
    "api": ("API (`api/settings.py`, `ApiSettings`)", api),
    "trading": ("Trading API (`api/trading/settings.py`, `TradingSettings`)", trading),
    "deploy": ("Deployment (`scripts/deploy.py`, `vaultcraft/deploy.py`)", deploy),
}


def main(argv: list[str]) -> int:
    names = argv or list(COMPONENTS)
    unknown = [n for n in names if n not in COMPONENTS]
    if unknown:
        print(f"config_reference: unknown component(s) {unknown}; choose from {list(COMPONENTS)}",
              file=sys.stderr)
        return 2
    blocks = []
    for name in names:
        title, render = COMPONENTS[name]
        blocks.append(f"### {title}\n\n{render()}")
    print("\n\n".join(blocks))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
