"""How the bot is used: the question journal, votes, the missed-question report, statistics and charts."""
