def test_faucet__mints_to_receiver(project, accounts):
    token = project.MockUSDC.deploy(6, sender=accounts[0])
    token.faucet(accounts[1], 5 * 10**6, sender=accounts[1])
    assert token.balanceOf(accounts[1]) == 5 * 10**6
