"""Local demo issuer and verifier (DESIGN §7); built in step 3 (issuer) and step 4 (verifier)."""
