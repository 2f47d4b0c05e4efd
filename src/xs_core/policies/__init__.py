"""Policy registration (polisregistratie): insurers, products, policies, participant registration
and automatic participation by conditions (R6.1–R6.6)."""
