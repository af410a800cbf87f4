# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Vault shares: ERC-20 balances with a per-account deposit lock
@custom:contract-name shares
@license MIT
@author VaultCraft
@notice ERC-20 accounting for vault shares. Each account's balance, its locked amount and the
        time the lock ends share ONE storage slot, so checking or setting a lock costs no extra
        storage access on a transfer or a claim (why snekmate's erc20 is not used here).
        Layout of `_account[a]`: bits 0..127 balance, bits 128..223 locked shares,
        bits 224..255 unlock time (unix seconds, good until 2106).
        Only the owning contract moves shares; it adds the policy (whitelist, pause, lockup
        consent) around `_transfer`, `_mint`, `_burn` and `_lock`.
@custom:security A lock only ever covers shares the account itself received through a deposit it
                 authorised; `_transfer` never moves a lock, so a transfer can neither escape a
                 lock nor extend someone else's.
"""

# @dev Mask of the 128-bit balance field.
_BALANCE_MASK: constant(uint256) = 2**128 - 1
# @dev Largest lockable amount (96 bits) and unlock time (32 bits).
_MAX_LOCKED: constant(uint256) = 2**96 - 1
_MAX_UNLOCK: constant(uint256) = 2**32 - 1
_LOCKED_SHIFT: constant(uint256) = 128
_UNLOCK_SHIFT: constant(uint256) = 224

# @dev Token name and symbol, fixed at deployment.
name: public(String[64])
symbol: public(String[32])
# @dev Share decimals equal the asset's decimals (decimals offset 0, see Vault.vy).
decimals: public(uint8)
# @dev Sum of all balances, including the vault's own escrow.
totalSupply: public(uint256)
# @dev Packed account word: balance | locked << 128 | unlock_at << 224.
_account: HashMap[address, uint256]
# @dev ERC-20 allowances.
allowance: public(HashMap[address, HashMap[address, uint256]])


event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256


event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256


event SharesLocked:
    account: indexed(address)
    locked: uint256
    unlock_at: uint256


@deploy
def __init__(name_: String[64], symbol_: String[32], decimals_: uint8):
    self.name = name_
    self.symbol = symbol_
    self.decimals = decimals_


@external
@view
def balanceOf(account: address) -> uint256:
    """
    @notice Shares held by `account`, locked or not.
    @param account The holder.
    @return uint256 The balance.
    """
    return self._account[account] & _BALANCE_MASK


@external
@view
def lock_of(account: address) -> (uint256, uint256):
    """
    @notice The account's locked shares and the time the lock ends.
    @param account The holder.
    @return (uint256, uint256) Locked shares (0 once the lock has ended) and the unlock time.
    """
    word: uint256 = self._account[account]
    unlock_at: uint256 = word >> _UNLOCK_SHIFT
    if unlock_at <= block.timestamp:
        return 0, unlock_at
    return (word >> _LOCKED_SHIFT) & _MAX_LOCKED, unlock_at


@external
@view
def free_balance_of(account: address) -> uint256:
    """
    @notice Shares `account` may transfer or redeem now.
    @param account The holder.
    @return uint256 Balance minus shares still locked.
    """
    return self._free(self._account[account])


@external
def approve(spender: address, amount: uint256) -> bool:
    """
    @notice Lets `spender` move up to `amount` of the caller's shares.
    @param spender The approved account.
    @param amount The allowance; `max_value(uint256)` never decreases.
    @return bool Always True.
    """
    self._approve(msg.sender, spender, amount)
    return True


@internal
@view
def _balance(account: address) -> uint256:
    return self._account[account] & _BALANCE_MASK


@internal
@view
def _free(word: uint256) -> uint256:
    # free = balance - locked while the lock runs, else the whole balance
    balance: uint256 = word & _BALANCE_MASK
    if (word >> _UNLOCK_SHIFT) <= block.timestamp:
        return balance
    locked: uint256 = (word >> _LOCKED_SHIFT) & _MAX_LOCKED
    return balance - min(locked, balance)


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert receiver != empty(address), "shares: zero receiver"
    word: uint256 = self._account[sender]
    assert self._free(word) >= amount, "shares: locked or insufficient"
    # The lock bits of both words are left untouched: locks never travel with shares.
    self._account[sender] = word - amount
    receiver_word: uint256 = self._account[receiver]
    assert (receiver_word & _BALANCE_MASK) + amount <= _BALANCE_MASK, "shares: balance overflow"
    self._account[receiver] = receiver_word + amount
    log Transfer(sender=sender, receiver=receiver, value=amount)


@internal
def _mint(receiver: address, amount: uint256):
    word: uint256 = self._account[receiver]
    assert (word & _BALANCE_MASK) + amount <= _BALANCE_MASK, "shares: balance overflow"
    self._account[receiver] = word + amount
    self.totalSupply += amount
    log Transfer(sender=empty(address), receiver=receiver, value=amount)


@internal
def _mint_locked(receiver: address, amount: uint256, lockup: uint256):
    """
    @dev Mints `amount` to `receiver` and locks it for `lockup` seconds.
    """
    self._credit_locked(receiver, amount, lockup)
    self.totalSupply += amount
    log Transfer(sender=empty(address), receiver=receiver, value=amount)


@internal
def _transfer_locked(sender: address, receiver: address, amount: uint256, lockup: uint256):
    """
    @dev Moves `amount` out of `sender` (the vault's own escrow, which is never locked) to
         `receiver` and locks it there.
    """
    word: uint256 = self._account[sender]
    assert (word & _BALANCE_MASK) >= amount, "shares: escrow short"
    self._account[sender] = word - amount
    self._credit_locked(receiver, amount, lockup)
    log Transfer(sender=sender, receiver=receiver, value=amount)


@internal
def _credit_locked(receiver: address, amount: uint256, lockup: uint256):
    """
    @dev Credits `amount` to `receiver` under its lock. Shares still locked from an earlier deposit
         stay locked until the new end (one lock bucket per account); shares whose lock has ended
         are not locked again. The caller guarantees the receiver consented (Vault.vy).
    """
    word: uint256 = self._account[receiver]
    balance: uint256 = word & _BALANCE_MASK
    assert balance + amount <= _BALANCE_MASK, "shares: balance overflow"
    if lockup == 0:
        self._account[receiver] = word + amount
        return
    locked: uint256 = amount
    if (word >> _UNLOCK_SHIFT) > block.timestamp:
        locked += (word >> _LOCKED_SHIFT) & _MAX_LOCKED
    unlock_at: uint256 = block.timestamp + lockup
    assert locked <= _MAX_LOCKED, "shares: lock overflow"
    assert unlock_at <= _MAX_UNLOCK, "shares: lock too long"
    self._account[receiver] = (balance + amount) | (locked << _LOCKED_SHIFT) | (unlock_at << _UNLOCK_SHIFT)
    log SharesLocked(account=receiver, locked=locked, unlock_at=unlock_at)


@internal
def _burn(owner: address, amount: uint256):
    word: uint256 = self._account[owner]
    assert self._free(word) >= amount, "shares: locked or insufficient"
    self._account[owner] = word - amount
    self.totalSupply -= amount
    log Transfer(sender=owner, receiver=empty(address), value=amount)


@internal
def _approve(owner: address, spender: address, amount: uint256):
    assert spender != empty(address), "shares: zero spender"
    self.allowance[owner][spender] = amount
    log Approval(owner=owner, spender=spender, value=amount)


@internal
def _spend_allowance(owner: address, spender: address, amount: uint256):
    current: uint256 = self.allowance[owner][spender]
    if current != max_value(uint256):
        assert current >= amount, "shares: allowance exceeded"
        self.allowance[owner][spender] = current - amount
