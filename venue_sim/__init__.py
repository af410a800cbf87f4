"""Venue simulator: a local server speaking the subset of the Hyperliquid wire protocol that
hyperliquid-python-sdk uses (/info, /exchange with signed actions, /ws), with a deterministic seeded
market, synthetic liquidity, cross margin, and WebSocket fault injection. Control routes live under /sim/.

Entry points: `venue_sim.server.create_app(config)`, `venue_sim.server.run(host, port, config)`,
`venue_sim.cli.app` (typer), `python -m venue_sim`.
"""
