"""What cypkg does between requests, without a UI: the poll policy, the one scheduler every
request goes through, the daily budget and count, status history, the watchlist and recent
stores, labels, and building API clients for a profile. No Textual."""
