"""Per-article stages (clean, ...) and corpus stages (dedup, ...): each takes articles and returns them."""
