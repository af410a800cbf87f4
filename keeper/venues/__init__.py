"""Venue adapters behind one interface (`keeper.venues.base.Venue`)."""
