"""eduwallet's Flet UI. It imports wallet_core; wallet_core never imports it."""
