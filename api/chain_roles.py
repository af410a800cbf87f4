"""`ChainRoleReader`: the `RoleReader` port on the chain. Vault.vy keeps one address per role
(`owner()` for admin, `manager()`, `guardian()`, `whitelist_manager()`), read through `ChainReader.views`
(so within `head_cache_s` repeated checks cost nothing extra only if the vault state is cached; each check
is one eth_call otherwise)."""

from __future__ import annotations

from api.auth.signed import ChainRole
from api.chain import ChainReader

_GETTER = {
    ChainRole.ADMIN: "owner",
    ChainRole.MANAGER: "manager",
    ChainRole.GUARDIAN: "guardian",
    ChainRole.WHITELIST_MANAGER: "whitelist_manager",
}


class ChainRoleReader:
    def __init__(self, chain: ChainReader) -> None:
        self._chain = chain

    async def has_role(self, vault: str, account: str, role: ChainRole) -> bool:
        getter = _GETTER[role]
        result = await self._chain.views("Vault", vault, [(getter, ())])
        holder = result.get(getter)
        return isinstance(holder, str) and holder.lower() == account.lower()
