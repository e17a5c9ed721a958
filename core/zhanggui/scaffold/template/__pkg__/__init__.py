"""$title: a Zhanggui plugin."""
