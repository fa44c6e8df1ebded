"""Markets (pasar) and merchants (pedagang), with or without cashless acceptance."""
