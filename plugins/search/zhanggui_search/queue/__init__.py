"""Keeping the index current: a queue of index work in the database, applied by one
writer at a time (a lease), so web workers never wait for or fail on the index lock."""
