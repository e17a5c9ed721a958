"""Opens, clicks, unsubscribes, bounces and SMS replies, each tied to one recipient by
an unguessable token (no member id ever appears in a URL)."""
