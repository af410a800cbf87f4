"""Pure-Python pieces of the CLI and deploy script: exact amount display and parameter validation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaultcraft.deploy import DeployConfigError, Roles, roles_from_env, vault_params
from vaultcraft.protocol import FeeConfig
from vaultcraft.units import fmt_units

ADDRS = [f"0x{i:040x}" for i in range(1, 8)]
DEFAULTS = Roles(admin=ADDRS[0], manager=ADDRS[1], guardian=ADDRS[2], fee_recipient=ADDRS[3],
                 protocol_fee_recipient=ADDRS[4], keepers=(ADDRS[5],), quorum=1)


@given(st.integers(min_value=0, max_value=10**40), st.sampled_from([6, 18]))
def test_fmt_units__truncates_exactly(amount, decimals):
    text = fmt_units(amount, decimals).replace(",", "")
    whole, frac = text.split(".")
    assert int(whole) == amount // 10**decimals
    assert int(frac) == (amount % 10**decimals) // 10 ** (decimals - 2)


def test_roles_from_env__defaults_used_when_unset():
    assert roles_from_env({}, DEFAULTS) == DEFAULTS


def test_roles_from_env__keepers_and_quorum_from_env():
    roles = roles_from_env({"VAULTCRAFT_DEPLOY_KEEPERS": f"{ADDRS[5]}, {ADDRS[6]}",
                            "VAULTCRAFT_DEPLOY_QUORUM": "2"}, DEFAULTS)
    assert roles.keepers == (ADDRS[5], ADDRS[6]) and roles.quorum == 2


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VAULTCRAFT_DEPLOY_QUORUM": "2"}, "quorum: must be 1..1"),
        ({"VAULTCRAFT_DEPLOY_QUORUM": "two"}, "not an integer"),
        ({"VAULTCRAFT_DEPLOY_ADMIN": "0x0000000000000000000000000000000000000000"}, "admin: zero address"),
        ({"VAULTCRAFT_DEPLOY_MANAGER": "0xabc"}, "manager: not an address"),
        ({"VAULTCRAFT_DEPLOY_KEEPERS": f"{ADDRS[5]},{ADDRS[5]}"}, "duplicate keeper"),
        ({"VAULTCRAFT_DEPLOY_GUARDIAN": "0x52908400098527886E0F7030069857D2E4169EE8"}, "bad checksum"),
    ],
)
def test_roles_from_env__bad_value__names_the_parameter(env, message):
    with pytest.raises(DeployConfigError, match=message):
        roles_from_env(env, DEFAULTS)


def test_roles_from_env__no_defaults_off_local__requires_every_role():
    with pytest.raises(DeployConfigError, match="VAULTCRAFT_DEPLOY_ADMIN is required"):
        roles_from_env({}, None)


def test_vault_params__zero_cap__refused():
    with pytest.raises(DeployConfigError, match="deposit_cap"):
        vault_params(ADDRS[6], "n", "s", DEFAULTS, ADDRS[1], False, 0, FeeConfig())
